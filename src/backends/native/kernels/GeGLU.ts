// com.onnxflow GeGLU(X [..., 2n]) -> X[..., :n] * gelu(X[..., n:]).

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { after, FUSED, actCode, minElems, syncElems, type NativeEnv } from '../env.js';

export function geGlu({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const code = actCode('Gelu', ctx.attrs.string('approximate', 'none'));
    const twoN = x.rank ? x.dims[x.rank - 1]! : 0;
    if (x.type !== 'float32' || x.size < minElems() || code === undefined || twoN % 2 !== 0) return fallback('GeGLU', inputs, ctx, FUSED);
    const n = twoN / 2;
    const dims = [...x.dims.slice(0, -1), n];
    const y = out(ctx, 0, dims);
    return after(addon.geglu({ x: x.data as Float32Array, y, rows: x.size / twoN, n, act: code, sync: syncElems(x.size) }), () => [new Tensor('float32', y, dims)]);
  };
}
