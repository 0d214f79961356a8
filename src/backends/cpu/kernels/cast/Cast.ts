import type { KernelConfig } from '../../../backend.js';
import type { DataType } from '../../../../ir/dtype.js';
import { Tensor } from '../../../../ir/tensor.js';
import { tensorAt } from '../../util/tensor.js';
import { outArray } from '../alloc.js';
import { castOptions, castTarget, castTensor } from './convert.js';

/** Sources stored as plain numbers (their typed array holds the values themselves). */
const PLAIN: ReadonlySet<DataType> = new Set<DataType>(['float32', 'float64', 'int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32', 'bool']);

/**
 * Cast: converts every element to the type given by `to` (a type code; a type name in Cast-1).
 * Float8 targets honour `saturate` (opset 19+), float8e8m0 targets `round_mode` (opset 24+).
 */
export const castConfig: KernelConfig = {
  opType: 'Cast',
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0);
    const to = castTarget(ctx.attrs.raw('to'));
    // To float32/float64 from a plain number type: a typed-array copy (what convert.ts does), into arena storage.
    if (ctx.alloc && to !== x.type && (to === 'float32' || to === 'float64') && PLAIN.has(x.type)) {
      const out = outArray(ctx, 0, to, x.dims) as Float32Array | Float64Array;
      out.set(x.data as Float32Array);
      return [new Tensor(to, out, x.dims)];
    }
    return [castTensor(x, to, castOptions(ctx.attrs))];
  },
};
