import type { KernelConfig } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { broadcastIndices, broadcastShapes, broadcastStrides } from '../../util/broadcast.js';
import { optTensor, tensorAt } from '../../util/tensor.js';
import { matmul } from '../linalg/MatMul.js';
import { transposeTensor } from '../tensor/layout.js';
import { FUSED_DOMAIN, checkF32 } from './common.js';

/**
 * com.onnxflow FusedAttention(Q, Kt, V, mask?, cond?, fill?): softmax(where(scale(Q @ Kt)) + mask, last
 * axis) @ V, the optimizer's fusion of MatMul → Mul/Div → [Where] → [Add mask] → Softmax → MatMul.
 * With cond (bool) and fill: scores = Where(cond, scores, fill) (`where_keep` 1, default) or
 * Where(cond, fill, scores) (`where_keep` 0), broadcasting as Where does. Kt is the second MatMul
 * operand as the graph had it ([..., D, Sk]); `scale_op` 'mul' | 'div' | 'none' applies `scale` as
 * the original Mul or Div did. numpy matmul broadcasting; the mask broadcasts with the scores as Add does.
 * Each step rounds to float32 as the unfused ops do. Two more attributes serve the rewrite of ai.onnx
 * Attention: `is_causal` 1 masks key j > query i in every [Sq, Sk] score matrix (upper-left aligned, as
 * Attention without a KV cache), 2 masks j > i + Sk - Sq (bottom-right, as Attention with a cache
 * whose new keys are as many as the queries), before the mask is added; `masked_row_zero` 1 gives zeros for a query
 * row whose scores are all -inf (Attention's rule) instead of Softmax's NaN. `k_perm` (ints): input 1 is
 * X with Kt = Transpose(X, k_perm) (the optimizer absorbed the Transpose that made Kt: [0, 1, 3, 2] for
 * K [..., Sk, D], [0, 2, 3, 1] for torch's [B, Sk, H, D] head split); `q_perm` / `v_perm` likewise for
 * inputs 0 and 2 (e.g. [0, 2, 1, 3] for Q / V as [B, S, H, D]).
 */
export const fusedAttentionConfig: KernelConfig = {
  opType: 'FusedAttention',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    // Inputs read through q_perm / k_perm / v_perm (Transposes the optimizer absorbed).
    const permuted = (i: number, name: string, attr: string) => {
      const t = tensorAt(inputs, i, name);
      if (!ctx.attrs.has(attr)) return t;
      const perm = ctx.attrs.ints(attr);
      if (perm.length !== t.rank || new Set(perm).size !== t.rank || perm.some((p) => p < 0 || p >= t.rank)) {
        throw new Error(`${attr} [${perm}] is not a permutation of the ${t.rank} axes of input ${i}`);
      }
      return transposeTensor(t, perm);
    };
    const q = permuted(0, 'Q', 'q_perm');
    const kt = permuted(1, 'Kt', 'k_perm');
    const v = permuted(2, 'V', 'v_perm');
    const mask = optTensor(inputs, 3);
    checkF32(q, 'Q');
    const scaleOp = ctx.attrs.string('scale_op', 'none');
    const scale = ctx.attrs.float('scale', 1);
    const s = matmul(q, kt);
    const S = s.data as Float32Array;
    if (scaleOp === 'mul') for (let i = 0; i < S.length; i++) S[i] = S[i]! * scale;
    else if (scaleOp === 'div') for (let i = 0; i < S.length; i++) S[i] = S[i]! / scale;
    else if (scaleOp !== 'none') throw new Error(`scale_op must be 'mul', 'div' or 'none', got '${scaleOp}'`);
    let scores = s;
    const causal = ctx.attrs.int('is_causal', 0);
    if (causal) {
      if (causal !== 1 && causal !== 2) throw new Error(`is_causal must be 0, 1 or 2, got ${causal}`);
      if (s.rank < 2) throw new Error('is_causal needs scores of rank >= 2');
      const Sq = s.dims[s.rank - 2]!;
      const Sk = s.dims[s.rank - 1]!;
      const offset = causal === 2 ? Sk - Sq : 0;
      for (let base = 0, row = 0; base < S.length; base += Sk, row++) {
        const i = row % Sq;
        for (let j = Math.max(0, i + offset + 1); j < Sk; j++) S[base + j] = -Infinity;
      }
    }
    const cond = optTensor(inputs, 4);
    if (cond) {
      // Where(cond, scores, fill) (where_keep 1) or Where(cond, fill, scores) (where_keep 0), broadcasting as Where does.
      const fill = tensorAt(inputs, 5, 'fill');
      checkF32(fill, 'fill');
      if (cond.type !== 'bool') throw new Error(`cond must be bool, got ${cond.type}`);
      const keep = ctx.attrs.int('where_keep', 1) !== 0;
      const dims = broadcastShapes(s.dims, cond.dims, fill.dims);
      const total = dims.reduce((a, b) => a * b, 1);
      const [si, ci, fi] = broadcastIndices(dims, [s.dims, cond.dims, fill.dims]);
      const C = cond.data as ArrayLike<number | boolean>;
      const Fv = fill.data as Float32Array;
      const out = new Float32Array(total);
      for (let i = 0; i < total; i++) {
        const c = !!C[ci ? ci[i]! : i];
        out[i] = c === keep ? S[si ? si[i]! : i]! : Fv[fi ? fi[i]! : i]!;
      }
      scores = new Tensor('float32', out, dims);
    }
    if (mask) {
      const S = scores.data as Float32Array;
      checkF32(mask, 'mask');
      // Add(scores, mask) with numpy broadcasting, rounded to float32 as Add does.
      const dims = broadcastShapes(scores.dims, mask.dims);
      const total = dims.reduce((a, b) => a * b, 1);
      const out = total === S.length ? S : new Float32Array(total);
      const ss = broadcastStrides(scores.dims, dims);
      const ms = broadcastStrides(mask.dims, dims);
      const M = mask.data as Float32Array;
      const rank = dims.length;
      const cnt = new Array<number>(rank).fill(0);
      let si = 0;
      let mi = 0;
      for (let i = 0; i < total; i++) {
        out[i] = S[si]! + M[mi]!;
        for (let ax = rank - 1; ax >= 0; ax--) {
          cnt[ax]!++;
          si += ss[ax]!;
          mi += ms[ax]!;
          if (cnt[ax]! < dims[ax]!) break;
          si -= ss[ax]! * dims[ax]!;
          mi -= ms[ax]! * dims[ax]!;
          cnt[ax] = 0;
        }
      }
      scores = new Tensor('float32', out, dims);
    }
    const P = scores.data as Float32Array;
    const len = scores.rank ? scores.dims[scores.rank - 1]! : 1;
    const zeroMasked = ctx.attrs.int('masked_row_zero', 0) !== 0;
    if (len > 0) {
      for (let base = 0; base < P.length; base += len) {
        const end = base + len;
        let max = -Infinity;
        for (let i = base; i < end; i++) if (P[i]! > max) max = P[i]!;
        if (zeroMasked && max === -Infinity) {
          P.fill(0, base, end);
          continue;
        }
        let sum = 0;
        for (let i = base; i < end; i++) {
          const e = Math.exp(P[i]! - max);
          P[i] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let i = base; i < end; i++) P[i]! *= inv;
      }
    }
    return [matmul(new Tensor('float32', P, scores.dims), v, ctx)];
  },
};

