import type { KernelConfig } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { tensorAt } from '../../util/tensor.js';
import { axisIn, copyRange, prod, raw, rawAlloc } from './layout.js';
import { outArray } from '../alloc.js';
import type { TensorData } from '../../../../ir/dtype.js';

/** Concat: join tensors along an axis (required attribute; negative allowed from opset 11). */
export const concatConfig: KernelConfig = {
  opType: 'Concat',
  kernel: (inputs, ctx) => {
    if (inputs.length === 0) throw new Error('needs at least one input');
    const ts = inputs.map((_, i) => tensorAt(inputs, i));
    const first = ts[0]!;
    const r = first.rank;
    const axis = axisIn(ctx.attrs.int('axis', ctx.opset < 4 ? 1 : undefined), r);
    let total = 0;
    for (const t of ts) {
      if (t.type !== first.type) throw new Error(`input types differ: ${first.type} and ${t.type}`);
      if (t.rank !== r || t.dims.some((d, i) => i !== axis && d !== first.dims[i])) {
        throw new Error(`cannot concat [${first.dims.join(',')}] and [${t.dims.join(',')}] along axis ${axis}`);
      }
      total += t.dims[axis]!;
    }
    const dims = [...first.dims];
    dims[axis] = total;
    let out: { data: TensorData } & ReturnType<typeof raw>;
    if (ctx.alloc && first.type !== 'string') {
      const data = outArray(ctx, 0, first.type, dims);
      out = { data, ...raw(first.type, data) };
    } else {
      out = rawAlloc(first.type, prod(dims));
    }
    const outer = prod(dims, 0, axis);
    const inner = prod(dims, axis + 1) * out.L;
    const rowOut = total * inner;
    let col = 0;
    for (const t of ts) {
      const w = t.dims[axis]! * inner;
      const src = raw(t.type, t.data).v;
      if (w > 0) for (let o = 0; o < outer; o++) copyRange(src, o * w, out.v, o * rowOut + col, w);
      col += w;
    }
    return [new Tensor(first.type, out.data, dims)];
  },
};
