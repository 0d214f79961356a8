import type { KernelConfig } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { tensorAt } from '../../util/tensor.js';
import { outArray } from '../alloc.js';
import { FUSED_DOMAIN, activationFn, checkF32 } from './common.js';

/**
 * com.onnxflow FusedGroupNorm(X [N, C, ...], gamma [C], beta [C]): group normalization over
 * `num_groups` groups of C / num_groups channels, then X * gamma[c] + beta[c] and an optional
 * `activation` ('SiLU'), the optimizer's fusion of torch's GroupNorm export (Reshape →
 * InstanceNormalization → Reshape → Mul → Add). Rounds to float32 where the unfused ops do.
 */
export const fusedGroupNormConfig: KernelConfig = {
  opType: 'FusedGroupNorm',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const gamma = tensorAt(inputs, 1, 'gamma');
    const beta = tensorAt(inputs, 2, 'beta');
    checkF32(x, 'X');
    checkF32(gamma, 'gamma');
    checkF32(beta, 'beta');
    if (x.rank < 2) throw new Error(`X must have rank >= 2 (N, C, ...), got [${x.dims.join(',')}]`);
    const G = ctx.attrs.int('num_groups');
    const eps = ctx.attrs.float('epsilon', 1e-5);
    const act = activationFn(ctx.attrs.string('activation', ''));
    const N = x.dims[0]!, C = x.dims[1]!;
    if (G <= 0 || C % G !== 0) throw new Error(`num_groups ${G} does not divide C = ${C}`);
    if (gamma.size !== C || beta.size !== C) throw new Error(`gamma and beta must have ${C} values, got ${gamma.size} and ${beta.size}`);
    const spatial = N * C === 0 ? 0 : x.size / (N * C);
    const cpg = C / G;
    const len = cpg * spatial;
    const X = x.data as Float32Array;
    const Gm = gamma.data as Float32Array;
    const Bt = beta.data as Float32Array;
    const Y = outArray(ctx, 0, 'float32', x.dims) as Float32Array;
    const f = Math.fround;
    for (let p = 0; p < N * G; p++) {
      const o = p * len;
      let sum = 0;
      for (let i = 0; i < len; i++) sum += X[o + i]!;
      const mean = len ? sum / len : 0;
      let sq = 0;
      for (let i = 0; i < len; i++) { const d = X[o + i]! - mean; sq += d * d; }
      const a = 1 / Math.sqrt((len ? sq / len : 0) + eps);
      const b = 0 - mean * a;
      const g0 = (p % G) * cpg;
      for (let c = 0; c < cpg; c++) {
        const gm = Gm[g0 + c]!;
        const bt = Bt[g0 + c]!;
        const base = o + c * spatial;
        for (let i = 0; i < spatial; i++) {
          let y = f(f(f(X[base + i]! * a + b) * gm) + bt);
          if (act) y = act(y);
          Y[base + i] = y;
        }
      }
    }
    return [new Tensor('float32', Y, x.dims)];
  },
};
