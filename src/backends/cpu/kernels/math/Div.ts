import type { KernelConfig } from '../../../backend.js';
import { arenaBinary } from '../alloc.js';
import { type Run2, NUMERIC_TYPES, binaryKernel } from '../../util/binary.js';

const divRun: Run2 = (out, o, A, ia, sa, B, ib, sb, n) => {
  for (let i = o, end = o + n; i < end; i++, ia += sa, ib += sb) out[i] = A[ia] / B[ib];
};

/**
 * Div: elementwise quotient with numpy broadcasting. Integer division truncates toward zero
 * (storing the float quotient into an integer array truncates; bigint division truncates).
 */
export const divConfig: KernelConfig = {
  opType: 'Div',
  kernel: arenaBinary(divRun, binaryKernel({
    float: (a, b) => a / b,
    int: (a, b) => {
      if (b === 0) throw new Error('integer division by zero');
      return a / b;
    },
    big: (a, b) => {
      if (b === 0n) throw new Error('integer division by zero');
      return a / b;
    },
    floatRun: divRun,
    types: NUMERIC_TYPES,
  })),
};
