import type { KernelConfig, KernelContext, Value } from '../../../backend.js';
import type { Tensor } from '../../../../ir/tensor.js';
import { normalizeAxis, optTensor, tensorAt } from '../../util/tensor.js';
import { allocFloats, checkFloat, expandTo, floatsOf, floatsTo, stashType } from './norm.js';
import { outFloats } from '../alloc.js';

/**
 * LayerNormalization (opset 17): normalizes X over the dims from `axis` on:
 *   Y = (X - mean) / sqrt(var + epsilon) * Scale + B
 * Scale and B broadcast onto X.shape[axis:]. Optional outputs Mean and InvStdDev have shape
 * X.shape[:axis] + [1, ...] and the stash_type.
 */
function layerNormalization(inputs: readonly (Value | undefined)[], ctx: KernelContext): Tensor[] {
  const x = tensorAt(inputs, 0, 'X');
  const scale = tensorAt(inputs, 1, 'Scale');
  const bias = optTensor(inputs, 2);
  checkFloat(x, 'X');
  const axis = normalizeAxis(ctx.attrs.int('axis', -1), x.rank);
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const stash = stashType(ctx.attrs.int('stash_type', 1));
  const normDims = x.dims.slice(axis);
  let inner = 1;
  for (const d of normDims) inner *= d;
  const outer = inner === 0 ? 0 : x.size / inner;
  const S = expandTo(scale, normDims, 'Scale');
  const B = bias ? expandTo(bias, normDims, 'B') : null;
  const X = floatsOf(x);
  const Y = outFloats(ctx, 0, x.type, x.dims);
  const wantStats = ctx.outputCount > 1;
  const Mean = wantStats ? allocFloats(stash, outer) : null;
  const Inv = wantStats ? allocFloats(stash, outer) : null;
  for (let r = 0; r < outer; r++) {
    const o = r * inner;
    let sum = 0;
    for (let i = 0; i < inner; i++) sum += X[o + i]!;
    const mean = sum / inner;
    let sq = 0;
    for (let i = 0; i < inner; i++) { const d = X[o + i]! - mean; sq += d * d; }
    const inv = 1 / Math.sqrt(sq / inner + eps);
    if (B) for (let i = 0; i < inner; i++) Y[o + i] = (X[o + i]! - mean) * inv * S[i]! + B[i]!;
    else for (let i = 0; i < inner; i++) Y[o + i] = (X[o + i]! - mean) * inv * S[i]!;
    if (Mean) { Mean[r] = mean; Inv![r] = inv; }
  }
  const out: Tensor[] = [floatsTo(x.type, Y, x.dims)];
  if (Mean) {
    const sdims = [...x.dims.slice(0, axis), ...normDims.map(() => 1)];
    out.push(floatsTo(stash, Mean, sdims), floatsTo(stash, Inv!, sdims));
  }
  return out;
}

export const layerNormalizationConfig: KernelConfig = {
  opType: 'LayerNormalization',
  kernel: layerNormalization,
};
