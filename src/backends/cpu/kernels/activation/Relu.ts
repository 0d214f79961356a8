import type { KernelConfig } from '../../../backend.js';
import { isFloatType } from '../../../../ir/dtype.js';
import { mapUnary } from '../../util/elementwise.js';
import { tensorAt } from '../../util/tensor.js';
import { SIGNED_TYPES } from '../../util/binary.js';
import { mapFloats } from './pointwise.js';

/** Relu: max(0, x) elementwise (float and signed integer types). */
export const reluConfig: KernelConfig = {
  opType: 'Relu',
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    if (isFloatType(x.type)) {
      return [mapFloats(x, (src, out) => {
        for (let i = 0; i < src.length; i++) {
          const v = src[i]!;
          out[i] = v > 0 ? v : v === v ? 0 : v;
        }
      }, 'X', ctx)];
    }
    return [mapUnary(x, { f: (v) => (v > 0 ? v : 0), big: (v) => (v > 0n ? v : 0n), types: SIGNED_TYPES })];
  },
};
