// com.onnxflow FusedGroupNorm(X, gamma, beta): group norm over `num_groups` groups of channels, then the
// `activation` (large float32 tensors; small ones stay on the cpu kernel).

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { after, FUSED, actCode, minElems, syncElems, type NativeEnv } from '../env.js';

export function fusedGroupNorm({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const fb = () => fallback('FusedGroupNorm', inputs, ctx, FUSED);
    const x = tensorAt(inputs, 0, 'X');
    const gamma = tensorAt(inputs, 1, 'gamma');
    const beta = tensorAt(inputs, 2, 'beta');
    if (x.type !== 'float32' || gamma.type !== 'float32' || beta.type !== 'float32' || x.rank < 2 || x.size < minElems()) return fb();
    const G = ctx.attrs.int('num_groups', 0);
    const act = actCode(ctx.attrs.string('activation', ''));
    const N = x.dims[0]!, C = x.dims[1]!;
    if (act === undefined || G <= 0 || C % G !== 0 || gamma.size !== C || beta.size !== C) return fb();
    const y = out(ctx, 0, x.dims);
    return after(addon.groupNorm({
      x: x.data as Float32Array, gamma: gamma.data as Float32Array, beta: beta.data as Float32Array, y,
      N, C, S: x.size / (N * C), G, eps: ctx.attrs.float('epsilon', 1e-5), act, sync: syncElems(x.size),
    }), () => [new Tensor('float32', y, x.dims)]);
  };
}
