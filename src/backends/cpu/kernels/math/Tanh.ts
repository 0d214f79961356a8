import type { KernelConfig } from '../../../backend.js';
import { unary } from '../../util/elementwise.js';
import { arenaUnary } from '../alloc.js';
import { FLOAT_TYPES } from '../../util/binary.js';

/** Tanh: elementwise hyperbolic tangent (float types). */
export const tanhConfig: KernelConfig = {
  opType: 'Tanh',
  kernel: arenaUnary(Math.tanh, unary({ f: Math.tanh, types: FLOAT_TYPES })),
};
