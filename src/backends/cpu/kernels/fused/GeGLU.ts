import type { KernelConfig } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { tensorAt } from '../../util/tensor.js';
import { outArray } from '../alloc.js';
import { FUSED_DOMAIN, geluErf, geluTanh } from './common.js';

/**
 * com.onnxflow GeGLU(X) with `approximate` 'none' | 'tanh': X [..., 2n] → Y [..., n],
 * y = x[..., j] · gelu(x[..., n + j]) (diffusers' GEGLU: hidden, gate = chunk(2, -1)). Rounds to
 * float32 after the Gelu and after the product, as the Split/Slice → Gelu → Mul subgraph does.
 */
export const geGluConfig: KernelConfig = {
  opType: 'GeGLU',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    if (x.type !== 'float32') throw new Error(`X must be float32, got ${x.type}`);
    if (x.dims.length === 0) throw new Error('X must have at least one axis');
    const approximate = ctx.attrs.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`approximate must be 'none' or 'tanh', got '${approximate}'`);
    const gelu = approximate === 'tanh' ? geluTanh : geluErf;
    const twoN = x.dims[x.dims.length - 1]!;
    if (twoN % 2 !== 0) throw new Error(`the last axis of X must have an even size, got ${twoN}`);
    const n = twoN / 2;
    const dims = [...x.dims.slice(0, -1), n];
    const X = x.data as Float32Array;
    const Y = outArray(ctx, 0, 'float32', dims) as Float32Array;
    const f = Math.fround;
    for (let r = 0, rows = X.length / twoN; r < rows; r++) {
      const xo = r * twoN, yo = r * n;
      for (let j = 0; j < n; j++) Y[yo + j] = X[xo + j]! * f(gelu(X[xo + n + j]!));
    }
    return [new Tensor('float32', Y, dims)];
  },
};
