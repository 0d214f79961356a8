import type { KernelConfig } from '../../../backend.js';
import { arenaBinary } from '../alloc.js';
import { type Run2, NUMERIC_TYPES, binaryKernel } from '../../util/binary.js';

const mulRun: Run2 = (out, o, A, ia, sa, B, ib, sb, n) => {
  for (let i = o, end = o + n; i < end; i++, ia += sa, ib += sb) out[i] = A[ia] * B[ib];
};

/** Mul: elementwise product with numpy broadcasting (integers wrap like C). */
export const mulConfig: KernelConfig = {
  opType: 'Mul',
  kernel: arenaBinary(mulRun, binaryKernel({
    float: (a, b) => a * b,
    // Low 32 bits of the exact product; storing narrows further for 8/16-bit types.
    int: (a, b) => Math.imul(a, b),
    big: (a, b) => a * b,
    floatRun: mulRun,
    types: NUMERIC_TYPES,
  })),
};
