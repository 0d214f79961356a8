import type { KernelConfig } from '../../../backend.js';
import { tensorAt } from '../../util/tensor.js';
import { mapFloats, sigmoid } from './pointwise.js';

/** Sigmoid: 1 / (1 + e^-x), computed without overflow. */
export const sigmoidConfig: KernelConfig = {
  opType: 'Sigmoid',
  kernel: (inputs, ctx) => [mapFloats(tensorAt(inputs, 0, 'X'), (src, out) => {
    for (let i = 0; i < src.length; i++) out[i] = sigmoid(src[i]!);
  }, 'X', ctx)],
};
