import type { KernelConfig } from '../../../backend.js';
import { unary } from '../../util/elementwise.js';
import { arenaUnary } from '../alloc.js';
import { erf } from './special.js';
import { FLOAT_TYPES } from '../../util/binary.js';

/** Erf: elementwise Gauss error function (float types). */
export const erfConfig: KernelConfig = {
  opType: 'Erf',
  kernel: arenaUnary(erf, unary({ f: erf, types: FLOAT_TYPES })),
};
