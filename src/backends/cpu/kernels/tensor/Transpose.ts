import type { KernelConfig } from '../../../backend.js';
import { tensorAt } from '../../util/tensor.js';
import { transposeTensor } from './layout.js';
import { outArray } from '../alloc.js';

/** Transpose: permute axes (default: reverse them). */
export const transposeConfig: KernelConfig = {
  opType: 'Transpose',
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'data');
    const r = x.rank;
    const perm = ctx.attrs.has('perm') ? ctx.attrs.ints('perm').map((p) => (p < 0 ? p + r : p)) : Array.from({ length: r }, (_, i) => r - 1 - i);
    if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) {
      throw new Error(`perm [${perm.join(',')}] is not a permutation of ${r} axes`);
    }
    if (perm.every((p, i) => p === i)) return [x];
    return [transposeTensor(x, perm, ctx.alloc ? (dims) => outArray(ctx, 0, x.type, dims) : undefined)];
  },
};
