// Add / Sub / Mul / Div: numpy broadcasting on float32, for large outputs.

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { broadcastShapes, broadcastStrides } from '../../cpu/util/broadcast.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { after, minElems, syncElems, type NativeEnv } from '../env.js';

export function binaryKernels({ addon, out, fallback }: NativeEnv): { add: KernelFn; sub: KernelFn; mul: KernelFn; div: KernelFn } {
  const binaryLike = (op: string, code: number): KernelFn => (inputs, ctx) => {
    const a = tensorAt(inputs, 0, 'A');
    const b = tensorAt(inputs, 1, 'B');
    if (a.type !== 'float32' || b.type !== 'float32') return fallback(op, inputs, ctx);
    let dims: number[];
    try {
      dims = broadcastShapes(a.dims, b.dims);
    } catch {
      return fallback(op, inputs, ctx);
    }
    let n = 1;
    for (const d of dims) n *= d;
    if (n < minElems('binary')) return fallback(op, inputs, ctx);
    // Collapse: drop size-1 axes, merge neighbours both operands read contiguously (or both broadcast).
    const sa = broadcastStrides(a.dims, dims), sb = broadcastStrides(b.dims, dims);
    const cd: number[] = [], ca: number[] = [], cb: number[] = [];
    for (let i = 0; i < dims.length; i++) {
      if (dims[i] === 1) continue;
      const last = cd.length - 1;
      if (last >= 0 && ca[last] === sa[i]! * dims[i]! && cb[last] === sb[i]! * dims[i]!) {
        cd[last]! *= dims[i]!;
        ca[last] = sa[i]!;
        cb[last] = sb[i]!;
      } else {
        cd.push(dims[i]!);
        ca.push(sa[i]!);
        cb.push(sb[i]!);
      }
    }
    if (cd.length > 8) return fallback(op, inputs, ctx);
    const y = out(ctx, 0, dims);
    return after(addon.binary({ a: a.data as Float32Array, b: b.data as Float32Array, y, dims: cd, aStrides: ca, bStrides: cb, op: code, sync: syncElems(n) }), () => [new Tensor('float32', y, dims)]);
  };
  return { add: binaryLike('Add', 0), sub: binaryLike('Sub', 1), mul: binaryLike('Mul', 2), div: binaryLike('Div', 3) };
}
