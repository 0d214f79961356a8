// Output storage for migrated kernels: the engine's memory arena when it offers one (KernelContext
// `alloc`), else fresh arrays. Arena storage is not zeroed; in-place ops may get an input's storage.

import type { KernelContext, KernelFn } from '../../backend.js';
import { type DataType, type NumericArray, allocData, lanes } from '../../../ir/dtype.js';
import { Tensor, sizeOf, type Dims } from '../../../ir/tensor.js';
import { broadcastShapes } from '../util/broadcast.js';
import { type Run2, forEachRun } from '../util/binary.js';
import { tensorAt } from '../util/tensor.js';

/** Storage for output `index` of `type` and `dims` (not zeroed when it comes from the arena). */
export function outArray(ctx: KernelContext | undefined, index: number, type: DataType, dims: Dims): NumericArray {
  if (ctx?.alloc) return ctx.alloc(index, type, dims);
  return allocData(type, sizeOf(dims) * (type === 'string' ? 1 : lanes(type))) as NumericArray;
}

/**
 * A float buffer to compute output `index` in: the output's own storage for float32/float64, a
 * scratch Float32Array for float16/bfloat16 (encoded afterwards by fromFloats).
 */
export function outFloats(ctx: KernelContext | undefined, index: number, type: DataType, dims: Dims): Float32Array | Float64Array {
  if (type === 'float32' || type === 'float64') return outArray(ctx, index, type, dims) as Float32Array | Float64Array;
  return new Float32Array(sizeOf(dims));
}

/**
 * A broadcasting float32/float64 binary kernel writing through `outArray` (in-place safe: `run`
 * reads A[ia] and B[ib] before writing out[i]); anything else goes to `fallback`.
 */
export function arenaBinary(run: Run2, fallback: KernelFn): KernelFn {
  return (inputs, ctx) => {
    const a = inputs[0];
    const b = inputs[1];
    if (!ctx.alloc || ctx.opset < 7 || !(a instanceof Tensor) || !(b instanceof Tensor) || a.type !== b.type || (a.type !== 'float32' && a.type !== 'float64')) {
      return fallback(inputs, ctx);
    }
    const A = tensorAt(inputs, 0, 'A');
    const B = tensorAt(inputs, 1, 'B');
    const dims = broadcastShapes(A.dims, B.dims);
    const out = outArray(ctx, 0, A.type, dims);
    const ad = A.data;
    const bd = B.data;
    forEachRun(dims, [A.dims, B.dims], (o, offs, st, len) => run(out, o, ad, offs[0]!, st[0]!, bd, offs[1]!, st[1]!, len));
    return [new Tensor(A.type, out, dims)];
  };
}

/** A float32/float64 elementwise kernel writing through `outArray` (in-place safe); else `fallback`. */
export function arenaUnary(f: (x: number) => number, fallback: KernelFn): KernelFn {
  return (inputs, ctx) => {
    const x = inputs[0];
    if (!ctx.alloc || !(x instanceof Tensor) || (x.type !== 'float32' && x.type !== 'float64')) return fallback(inputs, ctx);
    const src = x.data as Float32Array | Float64Array;
    const out = outArray(ctx, 0, x.type, x.dims) as Float32Array | Float64Array;
    for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
    return [new Tensor(x.type, out, x.dims)];
  };
}
