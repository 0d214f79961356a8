import type { KernelConfig } from '../../../backend.js';
import { tensorAt } from '../../util/tensor.js';
import { axisLayout, forEachLine } from './axiswise.js';
import { mapFloats } from './pointwise.js';

/**
 * Softmax: exp(x - max) / sum(exp(x - max)) along an axis (opset < 13: over the flattened
 * trailing dims from `axis`, default 1; opset >= 13: the single axis, default -1).
 */
export const softmaxConfig: KernelConfig = {
  opType: 'Softmax',
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'input');
    const layout = axisLayout(x, ctx);
    return [mapFloats(x, (src, out) => {
      forEachLine(layout, (base, end, inner) => {
        let max = -Infinity;
        for (let i = base; i < end; i += inner) if (src[i]! > max) max = src[i]!;
        let sum = 0;
        for (let i = base; i < end; i += inner) {
          const e = Math.exp(src[i]! - max);
          out[i] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let i = base; i < end; i += inner) out[i]! *= inv;
      });
    }, 'input', ctx)];
  },
};
