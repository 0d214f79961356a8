import type { KernelConfig } from '../../../backend.js';
import { optTensor, tensorAt, toNumbers } from '../../util/tensor.js';
import { type AxisSpec, resample, scaledLength } from './resample.js';

/**
 * Upsample (opset 7/9, deprecated in 10): nearest or linear upsampling by per-dimension `scales`
 * (an attribute at opset 7, an input from opset 9), with asymmetric coordinates; output dims are
 * floor(input * scale).
 */
export const upsampleConfig: KernelConfig = {
  opType: 'Upsample',
  sinceVersion: 7,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const raw = ctx.attrs.string('mode', 'nearest');
    const mode = raw === 'bilinear' ? 'linear' : raw;
    if (mode !== 'nearest' && mode !== 'linear') throw new Error(`unsupported mode '${raw}' (expected nearest or linear)`);
    let scales: number[];
    if (ctx.opset >= 9) {
      const t = optTensor(inputs, 1);
      if (!t) throw new Error(`scales input is required`);
      scales = toNumbers(t);
    } else {
      scales = ctx.attrs.floats('scales');
    }
    if (scales.length !== x.rank) throw new Error(`scales has ${scales.length} values, expected ${x.rank}`);
    if (scales.some((s) => !(s >= 1))) throw new Error(`scales must be >= 1, got [${scales.join(',')}]`);
    const specs: AxisSpec[] = x.dims.map((d, i) => ({
      inLen: d, outLen: scaledLength(d, scales[i]!), scale: scales[i]!, lengthResized: d * scales[i]!, roiStart: 0, roiEnd: 1,
    }));
    return [resample(x, specs, {
      ctx,
      mode, coord: 'asymmetric', nearest: 'simple', cubicA: -0.75, excludeOutside: false, extrapolation: 0, antialias: false,
    })];
  },
};
