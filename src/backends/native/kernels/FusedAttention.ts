// com.onnxflow FusedAttention(Q [..., Sq, D], Kt [..., D, Skv], V [..., Skv, Dv], mask?, cond?, fill?):
// numpy-broadcast batch dims, additive mask and Where(cond, ., fill) broadcasting into the scores
// (but not widening them), a scalar fill. `q_perm` / `k_perm` / `v_perm`: input i is X with the operand
// Transpose(X, perm), read through the permuted strides (no copy; Q and V rows must stay contiguous).

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { broadcastShapes, broadcastStrides, walkOffsets } from '../../cpu/util/broadcast.js';
import { optTensor, tensorAt } from '../../cpu/util/tensor.js';
import { after, FUSED, batchOffsets, minAttentionFlops, sameDims, stridedOffsets, syncFor, type NativeEnv } from '../env.js';

export function fusedAttention({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const fb = () => fallback('FusedAttention', inputs, ctx, FUSED);
    const q = tensorAt(inputs, 0, 'Q');
    const kt = tensorAt(inputs, 1, 'Kt');
    const v = tensorAt(inputs, 2, 'V');
    const mask = optTensor(inputs, 3);
    const cond = optTensor(inputs, 4);
    const fill = optTensor(inputs, 5);
    if (q.type !== 'float32' || kt.type !== 'float32' || v.type !== 'float32' || q.rank < 2 || kt.rank < 2 || v.rank < 2) return fb();
    if ((mask && mask.type !== 'float32') || (cond && (cond.type !== 'bool' || !fill || fill.type !== 'float32' || fill.size !== 1))) return fb();
    const scaleOp = ctx.attrs.string('scale_op', 'none');
    const scaleAttr = ctx.attrs.float('scale', 1);
    const scale = scaleOp === 'mul' ? scaleAttr : scaleOp === 'div' ? 1 / scaleAttr : scaleOp === 'none' ? 1 : NaN;
    if (!Number.isFinite(scale)) return fb();
    // is_causal 1: key j visible to query i iff j <= i (top-left); 2: iff j <= i + Skv - Sq (bottom-right).
    // The addon applies it after Where and the mask (a hidden key's score is -inf whatever they held),
    // the reference before them: the same result unless a Where fills with a finite value (the Attention
    // rewrite fills with -inf), which stays on cpu, or the mask holds +inf / NaN at a hidden key (there
    // the reference gives NaN, the addon ignores it).
    const isCausal = ctx.attrs.int('is_causal', 0);
    if (isCausal !== 0 && isCausal !== 1 && isCausal !== 2) return fb();
    if (isCausal && cond && (fill!.data as Float32Array)[0] !== -Infinity) return fb();
    // Each operand's dims and element strides as the product sees it (permuted under q_perm / k_perm /
    // v_perm); Q and V rows must stay contiguous.
    const view = (t: Tensor, attr: string) => {
      const r = t.rank;
      const st = new Array<number>(r);
      for (let i = r - 1, acc = 1; i >= 0; i--) { st[i] = acc; acc *= t.dims[i]!; }
      if (!ctx.attrs.has(attr)) return { dims: [...t.dims], st };
      const perm = ctx.attrs.ints(attr);
      if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) return undefined;
      return { dims: perm.map((p) => t.dims[p]!), st: perm.map((p) => st[p]!) };
    };
    const qv = view(q, 'q_perm'), kv = view(kt, 'k_perm'), vv = view(v, 'v_perm');
    if (!qv || !kv || !vv || qv.st[q.rank - 1] !== 1 || vv.st[v.rank - 1] !== 1) return fb();
    const kr = kt.rank, ktDims = kv.dims, ktSt = kv.st;
    const Sq = qv.dims[q.rank - 2]!, D = qv.dims[q.rank - 1]!;
    const Skv = ktDims[kr - 1]!, Dv = vv.dims[v.rank - 1]!;
    if (ktDims[kr - 2] !== D || vv.dims[v.rank - 2] !== Skv || D === 0) return fb();
    const qB = qv.dims.slice(0, -2), kB = ktDims.slice(0, -2), vB = vv.dims.slice(0, -2);
    let batch: number[];
    try {
      batch = broadcastShapes(qB, kB, vB);
    } catch {
      return fb();
    }
    const scoreDims = [...batch, Sq, Skv];
    const fits = (t: Tensor) => {
      if (t.rank > scoreDims.length) return false;
      try {
        return sameDims(broadcastShapes(scoreDims, t.dims), scoreDims);
      } catch {
        return false;
      }
    };
    if ((mask && !fits(mask)) || (cond && !fits(cond))) return fb();
    let BH = 1;
    for (const d of batch) BH *= d;
    if (BH * Sq * Dv === 0 || Skv === 0) return fb();
    if (2 * BH * Sq * Skv * (D + Dv) < minAttentionFlops()) return fb();
    const [yo] = batchOffsets(batch, [batch], [Sq * Dv]);
    const qo = stridedOffsets(batch, qB, qv.st.slice(0, -2));
    const ko = stridedOffsets(batch, kB, ktSt.slice(0, -2));
    const vo = stridedOffsets(batch, vB, vv.st.slice(0, -2));
    const layout = (t: Tensor) => {
      const st = broadcastStrides(t.dims, scoreDims);
      const r = scoreDims.length;
      // Offsets per entry from the batch strides of the mask seen through the scores.
      const off = new Float64Array(BH);
      walkOffsets(batch, st.slice(0, batch.length), off);
      return { off, si: st[r - 2]!, sj: st[r - 1]! };
    };
    const m = mask ? layout(mask) : undefined;
    const c = cond ? layout(cond) : undefined;
    const yDims = [...batch, Sq, Dv];
    const y = out(ctx, 0, yDims);
    return after(addon.attention({
      BH, Sq, Skv, D, Dv, scale, q: q.data as Float32Array, k: kt.data as Float32Array, v: v.data as Float32Array, y,
      qo, ko, vo, yo, qs: qv.st[q.rank - 2]!, ks: ktSt[kr - 1]!, kd: ktSt[kr - 2]!, vs: vv.st[v.rank - 2]!, ys: Dv, sync: syncFor(2 * BH * Sq * Skv * (D + Dv)),
      mask: m ? (mask!.data as Float32Array) : undefined, mo: m?.off, mi: m?.si, mj: m?.sj,
      cond: c ? (cond!.data as Uint8Array) : undefined, co: c?.off, ci: c?.si, cj: c?.sj, fill: c ? (fill!.data as Float32Array)[0]! : undefined,
      keep: c ? ctx.attrs.int('where_keep', 1) !== 0 : undefined,
      causal: isCausal !== 0, causalOffset: isCausal === 2 ? Skv - Sq : 0, maskedNan: ctx.attrs.int('masked_row_zero', 0) === 0,
    }), () => [new Tensor('float32', y, yDims)]);
  };
}
