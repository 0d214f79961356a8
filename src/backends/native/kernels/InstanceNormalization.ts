// InstanceNormalization: group norm with one group per channel (same kernel as FusedGroupNorm).

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { NativeAct } from '../addon.js';
import { after, minElems, syncElems, type NativeEnv } from '../env.js';

export function instanceNormalization({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'input');
    const scale = tensorAt(inputs, 1, 'scale');
    const b = tensorAt(inputs, 2, 'B');
    const C = x.rank >= 2 ? x.dims[1]! : 0;
    if (x.type !== 'float32' || scale.type !== 'float32' || b.type !== 'float32' || x.rank < 3 || x.size < minElems() || scale.size !== C || b.size !== C) {
      return fallback('InstanceNormalization', inputs, ctx);
    }
    const N = x.dims[0]!;
    const y = out(ctx, 0, x.dims);
    return after(addon.groupNorm({
      x: x.data as Float32Array, gamma: scale.data as Float32Array, beta: b.data as Float32Array, y,
      N, C, S: x.size / (N * C), G: C, eps: ctx.attrs.float('epsilon', 1e-5), act: NativeAct.None, sync: syncElems(x.size),
    }), () => [new Tensor('float32', y, x.dims)]);
  };
}
