// Transpose (float32, large): a strided copy, axes collapsed where the permutation keeps them together.

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { after, minTransposeElems, syncElems, type NativeEnv } from '../env.js';

export function transpose({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'data');
    if (x.type !== 'float32' || x.size < minTransposeElems()) return fallback('Transpose', inputs, ctx);
    const r = x.rank;
    const perm = ctx.attrs.ints('perm', Array.from({ length: r }, (_, i) => r - 1 - i));
    if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) return fallback('Transpose', inputs, ctx);
    const st = new Array<number>(r);
    for (let i = r - 1, acc = 1; i >= 0; i--) { st[i] = acc; acc *= x.dims[i]!; }
    const outDims = perm.map((p) => x.dims[p]!);
    const cd: number[] = [], cs: number[] = [];
    for (let i = 0; i < r; i++) {
      const d = outDims[i]!, s = st[perm[i]!]!;
      if (d === 1) continue;
      const last = cd.length - 1;
      if (last >= 0 && cs[last] === s * d) {
        cd[last]! *= d;
        cs[last] = s;
      } else {
        cd.push(d);
        cs.push(s);
      }
    }
    if (cd.length > 8) return fallback('Transpose', inputs, ctx);
    const y = out(ctx, 0, outDims);
    return after(addon.stridedCopy({ x: x.data as Float32Array, y, dims: cd, xStrides: cs, sync: syncElems(x.size) }), () => [new Tensor('float32', y, outDims)]);
  };
}
