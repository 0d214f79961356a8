// Softmax / LogSoftmax (opset 13+) over the last axis (large float32 tensors; small ones and other axes
// stay on the cpu kernel).

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { after, minElems, syncElems, type NativeEnv } from '../env.js';

export function softmaxKernels({ addon, out, fallback }: NativeEnv): { softmax: KernelFn; logSoftmax: KernelFn } {
  const softmaxLike = (op: string, log: boolean): KernelFn => (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'input');
    if (x.type !== 'float32' || x.rank < 1 || x.size < minElems()) return fallback(op, inputs, ctx);
    let axis = ctx.attrs.int('axis', -1);
    if (axis < 0) axis += x.rank;
    if (axis !== x.rank - 1) return fallback(op, inputs, ctx);
    const D = x.dims[x.rank - 1]!;
    if (D === 0) return fallback(op, inputs, ctx);
    const y = out(ctx, 0, x.dims);
    return after(addon.softmax({ x: x.data as Float32Array, y, rows: x.size / D, D, log, sync: syncElems(x.size) }), () => [new Tensor('float32', y, x.dims)]);
  };
  return { softmax: softmaxLike('Softmax', false), logSoftmax: softmaxLike('LogSoftmax', true) };
}
