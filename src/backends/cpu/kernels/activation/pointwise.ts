// Private helpers for activation kernels: float maps whose loop lives in the op's own file (so the
// scalar math inlines into a monomorphic loop), and numerically stable building blocks.

import type { KernelContext } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { outFloats } from '../alloc.js';
import { floatBuffer, fromFloats, readFloats } from '../../util/tensor.js';
import { FLOAT_TYPES, checkType } from '../../util/binary.js';

export type FloatArray = Float32Array | Float64Array;

/** Fills `out` from `src` (same length). */
export type FloatLoop = (src: FloatArray, out: FloatArray) => void;

/**
 * Runs `loop` over a float tensor's values (float16/bfloat16 decoded to float32) and returns a
 * new tensor of the same type and shape. With `ctx` the output storage comes from `ctx.alloc` (the
 * arena; possibly x's own storage, so `loop` must read src[i] before writing out[i]).
 */
export function mapFloats(x: Tensor, loop: FloatLoop, what = 'X', ctx?: KernelContext): Tensor {
  checkType(x, FLOAT_TYPES, what);
  const src = readFloats(x) as FloatArray;
  const out = ctx ? outFloats(ctx, 0, x.type, x.dims) : floatBuffer(x.type, x.size);
  loop(src, out);
  return fromFloats(x.type, out, x.dims);
}

/** 1 / (1 + e^-x) without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow for large x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
