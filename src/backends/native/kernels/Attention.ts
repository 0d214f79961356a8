// Attention (opset 23+): fused blockwise attention for the plain case (no mask, no KV cache,
// no softcap / windows, only Y wanted); everything else goes to the cpu kernel.

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { after, minAttentionFlops, syncFor, type NativeEnv } from '../env.js';

export function attention({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const q = tensorAt(inputs, 0, 'Q');
    const k = tensorAt(inputs, 1, 'K');
    const v = tensorAt(inputs, 2, 'V');
    const a = ctx.attrs;
    const plain = inputs.slice(3).every((x) => x === undefined) && ctx.outputWanted.slice(1).every((w) => !w)
      && a.float('softcap', 0) === 0 && a.int('left_window_size', -1) < 0 && a.int('right_window_size', -1) < 0;
    if (!plain || q.type !== 'float32' || k.type !== 'float32' || v.type !== 'float32') return fallback('Attention', inputs, ctx);
    const rank = q.rank;
    if ((rank !== 3 && rank !== 4) || k.rank !== rank || v.rank !== rank) return fallback('Attention', inputs, ctx);
    const B = q.dims[0]!;
    let Hq: number, Hkv: number, Sq: number, Skv: number, D: number, Dv: number;
    if (rank === 3) {
      Hq = a.int('q_num_heads', 0);
      Hkv = a.int('kv_num_heads', 0);
      if (Hq <= 0 || Hkv <= 0 || q.dims[2]! % Hq !== 0 || k.dims[2]! % Hkv !== 0 || v.dims[2]! % Hkv !== 0) return fallback('Attention', inputs, ctx);
      Sq = q.dims[1]!;
      Skv = k.dims[1]!;
      D = q.dims[2]! / Hq;
      Dv = v.dims[2]! / Hkv;
      if (k.dims[2]! / Hkv !== D || v.dims[1] !== Skv) return fallback('Attention', inputs, ctx);
    } else {
      [, Hq, Sq, D] = q.dims as [number, number, number, number];
      Hkv = k.dims[1]!;
      Skv = k.dims[2]!;
      Dv = v.dims[3]!;
      if (k.dims[3] !== D || v.dims[1] !== Hkv || v.dims[2] !== Skv) return fallback('Attention', inputs, ctx);
    }
    if (k.dims[0] !== B || v.dims[0] !== B || Hq % Hkv !== 0 || B * Hq * Sq * Skv * D * Dv === 0) return fallback('Attention', inputs, ctx);
    if (2 * B * Hq * Sq * Skv * (D + Dv) < minAttentionFlops()) return fallback('Attention', inputs, ctx);
    const scale = a.has('scale') ? a.float('scale') : 1 / Math.sqrt(D);
    const causal = a.int('is_causal', 0) !== 0;
    const dims = rank === 4 ? [B, Hq, Sq, Dv] : [B, Sq, Hq * Dv];
    const y = out(ctx, 0, dims);
    const st = rank === 4
      ? { qb: Hq * Sq * D, qh: Sq * D, qs: D, kb: Hkv * Skv * D, kh: Skv * D, ks: D, vb: Hkv * Skv * Dv, vh: Skv * Dv, vs: Dv, yb: Hq * Sq * Dv, yh: Sq * Dv, ys: Dv }
      : { qb: Sq * Hq * D, qh: D, qs: Hq * D, kb: Skv * Hkv * D, kh: D, ks: Hkv * D, vb: Skv * Hkv * Dv, vh: Dv, vs: Hkv * Dv, yb: Sq * Hq * Dv, yh: Dv, ys: Hq * Dv };
    const BH = B * Hq, group = Hq / Hkv;
    const qo = new Float64Array(BH), ko = new Float64Array(BH), vo = new Float64Array(BH), yo = new Float64Array(BH);
    for (let t = 0; t < BH; t++) {
      const b = Math.floor(t / Hq), h = t % Hq, kh = Math.floor(h / group);
      qo[t] = b * st.qb + h * st.qh;
      yo[t] = b * st.yb + h * st.yh;
      ko[t] = b * st.kb + kh * st.kh;
      vo[t] = b * st.vb + kh * st.vh;
    }
    return after(addon.attention({
      BH, Sq, Skv, D, Dv, scale, causal, q: q.data as Float32Array, k: k.data as Float32Array, v: v.data as Float32Array, y,
      qo, ko, vo, yo, qs: st.qs, ks: st.ks, kd: 1, vs: st.vs, ys: st.ys, sync: syncFor(2 * BH * Sq * Skv * (D + Dv)),
    }), () => [new Tensor('float32', y, dims)]);
  };
}
