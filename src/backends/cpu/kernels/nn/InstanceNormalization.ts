import type { KernelConfig, KernelContext, Value } from '../../../backend.js';
import type { Tensor } from '../../../../ir/tensor.js';
import { tensorAt } from '../../util/tensor.js';
import { checkFloat, floatsOf, floatsTo } from './norm.js';
import { outFloats } from '../alloc.js';

/** InstanceNormalization: per (n, c) plane, y = scale[c] * (x - mean) / sqrt(var + epsilon) + B[c]. */
function instanceNormalization(inputs: readonly (Value | undefined)[], ctx: KernelContext): Tensor[] {
  const x = tensorAt(inputs, 0, 'input');
  const scale = tensorAt(inputs, 1, 'scale');
  const bias = tensorAt(inputs, 2, 'B');
  checkFloat(x, 'input');
  if (x.rank < 2) throw new Error(`input must have rank >= 2 (N, C, ...), got [${x.dims.join(',')}]`);
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const N = x.dims[0]!, C = x.dims[1]!;
  if (scale.size !== C || bias.size !== C) throw new Error(`scale and B must have ${C} values, got ${scale.size} and ${bias.size}`);
  const S = floatsOf(scale), Bv = floatsOf(bias);
  const len = N * C === 0 ? 0 : x.size / (N * C);
  const X = floatsOf(x);
  const Y = outFloats(ctx, 0, x.type, x.dims);
  for (let p = 0; p < N * C; p++) {
    const c = p % C;
    const o = p * len;
    let sum = 0;
    for (let i = 0; i < len; i++) sum += X[o + i]!;
    const mean = len ? sum / len : 0;
    let sq = 0;
    for (let i = 0; i < len; i++) { const d = X[o + i]! - mean; sq += d * d; }
    const a = S[c]! / Math.sqrt((len ? sq / len : 0) + eps);
    const b = Bv[c]! - mean * a;
    for (let i = 0; i < len; i++) Y[o + i] = X[o + i]! * a + b;
  }
  return [floatsTo(x.type, Y, x.dims)];
}

export const instanceNormalizationConfig: KernelConfig = {
  opType: 'InstanceNormalization',
  kernel: instanceNormalization,
};
