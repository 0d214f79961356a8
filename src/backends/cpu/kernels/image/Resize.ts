import type { KernelConfig } from '../../../backend.js';
import { normalizeAxis, optTensor, tensorAt, toNumbers } from '../../util/tensor.js';
import {
  type AxisSpec, type CoordMode, type NearestMode,
  parseCoordMode, parseInterpMode, parseNearestMode, resample, scaledLength,
} from './resample.js';

/**
 * Resize (opset 10/11/13/18/19): nearest, (multi)linear or cubic resampling of every axis (or of
 * `axes`), to `sizes` or by `scales`, with the ONNX coordinate transformation modes (half_pixel,
 * half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize with
 * `roi` and extrapolation_value), nearest_mode, cubic_coeff_a, exclude_outside, antialias and
 * keep_aspect_ratio_policy. Opset 10 takes (X, scales) and samples asymmetrically.
 */
export const resizeConfig: KernelConfig = {
  opType: 'Resize',
  sinceVersion: 10,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const rank = x.rank;
    const a = ctx.attrs;
    const mode = parseInterpMode(a.string('mode', 'nearest'));
    const legacy = ctx.opset < 11;
    const coord: CoordMode = legacy ? 'asymmetric' : parseCoordMode(a.string('coordinate_transformation_mode', 'half_pixel'));
    const nearest: NearestMode = legacy ? 'simple' : parseNearestMode(a.string('nearest_mode', 'round_prefer_floor'));
    if (legacy && mode === 'cubic') throw new Error(`mode 'cubic' needs opset 11 or later`);
    const roiT = legacy ? undefined : optTensor(inputs, 1);
    const scalesT = optTensor(inputs, legacy ? 1 : 2);
    const sizesT = legacy ? undefined : optTensor(inputs, 3);

    let axes: number[];
    if (ctx.opset >= 18 && a.has('axes')) {
      axes = a.ints('axes').map((ax) => normalizeAxis(ax, rank, 'axes entry'));
      if (new Set(axes).size !== axes.length) throw new Error(`axes [${a.ints('axes').join(',')}] has duplicates`);
    } else {
      axes = [...Array(rank).keys()];
    }
    const hasScales = !!scalesT && scalesT.size > 0;
    const hasSizes = !!sizesT && sizesT.size > 0;
    if (hasScales === hasSizes) throw new Error(hasScales ? `only one of scales and sizes may be given` : `one of scales and sizes must be given`);

    const specs: AxisSpec[] = x.dims.map((d) => ({ inLen: d, outLen: d, scale: 1, lengthResized: d, roiStart: 0, roiEnd: 1 }));
    if (hasScales) {
      const scales = toNumbers(scalesT!);
      if (scales.length !== axes.length) throw new Error(`scales has ${scales.length} values, expected ${axes.length}`);
      axes.forEach((ax, i) => {
        const s = scales[i]!;
        if (!(s > 0)) throw new Error(`scales must be positive, got ${s}`);
        const sp = specs[ax]!;
        sp.scale = s;
        sp.outLen = scaledLength(sp.inLen, s);
        sp.lengthResized = s * sp.inLen;
      });
    } else {
      const sizes = toNumbers(sizesT!);
      if (sizes.length !== axes.length) throw new Error(`sizes has ${sizes.length} values, expected ${axes.length}`);
      if (sizes.some((s) => !(s >= 0) || !Number.isInteger(s))) throw new Error(`sizes must be non-negative integers, got [${sizes.join(',')}]`);
      const policy = ctx.opset >= 18 ? a.string('keep_aspect_ratio_policy', 'stretch') : 'stretch';
      if (policy === 'stretch') {
        axes.forEach((ax, i) => {
          const sp = specs[ax]!;
          sp.outLen = sizes[i]!;
          sp.scale = sp.inLen > 0 ? sp.outLen / sp.inLen : 1;
          sp.lengthResized = sp.outLen;
        });
      } else if (policy === 'not_larger' || policy === 'not_smaller') {
        const ratios = axes.map((ax, i) => sizes[i]! / specs[ax]!.inLen);
        const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
        for (const ax of axes) {
          const sp = specs[ax]!;
          sp.scale = s;
          sp.outLen = Math.round(s * sp.inLen);
          sp.lengthResized = s * sp.inLen;
        }
      } else {
        throw new Error(`unsupported keep_aspect_ratio_policy '${policy}'`);
      }
    }
    if (coord === 'tf_crop_and_resize') {
      if (!roiT || roiT.size === 0) throw new Error(`coordinate_transformation_mode tf_crop_and_resize needs the roi input`);
      const roi = toNumbers(roiT);
      const k = roi.length / 2;
      if (k === rank) {
        for (let d = 0; d < rank; d++) { specs[d]!.roiStart = roi[d]!; specs[d]!.roiEnd = roi[d + rank]!; }
      } else if (k === axes.length) {
        axes.forEach((ax, i) => { specs[ax]!.roiStart = roi[i]!; specs[ax]!.roiEnd = roi[i + k]!; });
      } else {
        throw new Error(`roi has ${roi.length} values, expected ${2 * axes.length}`);
      }
    }
    return [resample(x, specs, {
      ctx,
      mode, coord, nearest,
      cubicA: a.float('cubic_coeff_a', -0.75),
      excludeOutside: a.int('exclude_outside', 0) !== 0,
      extrapolation: a.float('extrapolation_value', 0),
      antialias: ctx.opset >= 18 && a.int('antialias', 0) !== 0,
    })];
  },
};
