import type { KernelConfig } from '../../../backend.js';
import { arenaBinary } from '../alloc.js';
import { type Run2, NUMERIC_TYPES, binaryKernel } from '../../util/binary.js';

const addRun: Run2 = (out, o, A, ia, sa, B, ib, sb, n) => {
  for (let i = o, end = o + n; i < end; i++, ia += sa, ib += sb) out[i] = A[ia] + B[ib];
};

/** Add: elementwise sum with numpy broadcasting (integers wrap like C). */
export const addConfig: KernelConfig = {
  opType: 'Add',
  kernel: arenaBinary(addRun, binaryKernel({
    float: (a, b) => a + b,
    big: (a, b) => a + b,
    floatRun: addRun,
    types: NUMERIC_TYPES,
  })),
};
