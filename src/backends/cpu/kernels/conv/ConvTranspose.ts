import type { KernelConfig, KernelContext, Value } from '../../../backend.js';
import type { Tensor } from '../../../../ir/tensor.js';
import {
  type Geometry, addPatches, allocFloats, convInputs, floatsOf, floatsTo, patchPlan, product, readAutoPad,
  readPads, spatialInts,
} from './common.js';
import { gemmABt } from './matmul.js';

const BAND_FLOATS = 1 << 20;

/**
 * ConvTranspose: the adjoint of Conv. X [N, C, ...in], W [C, M/group, ...k], optional bias [M].
 * Output size s * (in - 1) + output_padding + (k - 1) * d + 1 - pads, or output_shape (pads then
 * derived from it), or in * s for SAME_UPPER / SAME_LOWER.
 * Computed as a product X^T * W (one row of tap contributions per input position) scattered onto
 * the output with col2im.
 */
/** ConvTranspose's channels and spatial geometry (attributes checked; shared with the native kernel). */
export interface ConvTransposeGeometry {
  rank: number;
  N: number; C: number; M: number; Cg: number; Mg: number; group: number;
  inDims: number[]; kernel: number[]; strides: number[]; dilations: number[];
  padsBegin: number[]; padsEnd: number[]; outDims: number[];
}

export function convTransposeGeometry(x: Tensor, w: Tensor, ctx: KernelContext): ConvTransposeGeometry {
  const rank = x.rank - 2;
  if (rank < 1) throw new Error(`X must have rank >= 3 (N, C, spatial...), got [${x.dims.join(',')}]`);
  if (w.rank !== x.rank) throw new Error(`W has rank ${w.rank}, X has rank ${x.rank}`);
  const N = x.dims[0]!, C = x.dims[1]!;
  const group = ctx.attrs.int('group', 1);
  if (group < 1 || w.dims[0] !== C || C % group !== 0) {
    throw new Error(`W has ${w.dims[0]} input channels, X has ${C} (group ${group})`);
  }
  const Cg = C / group;
  const Mg = w.dims[1]!;
  const M = Mg * group;
  const kernel = w.dims.slice(2);
  const ks = ctx.attrs.ints('kernel_shape', []);
  if (ks.length && (ks.length !== rank || ks.some((k, i) => k !== kernel[i]))) {
    throw new Error(`kernel_shape [${ks.join(',')}] does not match W spatial dims [${kernel.join(',')}]`);
  }
  const strides = spatialInts(ctx, 'strides', rank, 1);
  const dilations = spatialInts(ctx, 'dilations', rank, 1);
  const outPad = spatialInts(ctx, 'output_padding', rank, 0);
  const pads = readPads(ctx, rank);
  const autoPad = readAutoPad(ctx);
  let outShape = ctx.attrs.ints('output_shape', []);
  if (outShape.length === rank + 2) outShape = outShape.slice(2);
  if (outShape.length && outShape.length !== rank) {
    throw new Error(`output_shape has ${outShape.length} values, expected ${rank}`);
  }
  const inDims = x.dims.slice(2);
  const outDims = new Array<number>(rank);
  const padsBegin = new Array<number>(rank);
  const padsEnd = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const s = strides[i]!, n = inDims[i]!;
    if (s < 1 || dilations[i]! < 1) throw new Error('strides and dilations must be positive');
    if (outPad[i]! < 0) throw new Error(`output_padding ${outPad[i]} must be non-negative`);
    const full = s * (n - 1) + outPad[i]! + (kernel[i]! - 1) * dilations[i]! + 1;
    let target: number | undefined;
    if (outShape.length) target = outShape[i]!;
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') target = n * s;
    if (target !== undefined) {
      const total = full - target;
      const half = Math.floor(total / 2);
      padsBegin[i] = autoPad === 'SAME_UPPER' ? half : total - half;
      padsEnd[i] = total - padsBegin[i]!;
      outDims[i] = target;
    } else if (autoPad === 'VALID') {
      padsBegin[i] = 0;
      padsEnd[i] = 0;
      outDims[i] = full;
    } else {
      padsBegin[i] = pads[i]!;
      padsEnd[i] = pads[i + rank]!;
      outDims[i] = full - padsBegin[i]! - padsEnd[i]!;
    }
    if (outDims[i]! < 0) throw new Error(`negative output size ${outDims[i]} along spatial dim ${i}`);
  }
  return { rank, N, C, M, Cg, Mg, group, inDims, kernel, strides, dilations, padsBegin, padsEnd, outDims };
}

function convTranspose(inputs: readonly (Value | undefined)[], ctx: KernelContext): Tensor[] {
  const { x, w, b } = convInputs(inputs);
  const { rank, N, C, M, Cg, Mg, group, inDims, kernel, strides, dilations, padsBegin, padsEnd, outDims } = convTransposeGeometry(x, w, ctx);
  // Geometry of the equivalent forward conv: from Y (its input) to X (its output).
  const g: Geometry = { rank, inDims: outDims, kernel, strides, dilations, padsBegin, padsEnd, outDims: inDims };
  const plan = patchPlan(g);
  const X = floatsOf(x);
  const W = floatsOf(w);
  const B = b ? floatsOf(b) : null;
  if (B && B.length !== M) throw new Error(`bias has ${B.length} values, expected ${M}`);
  const inSize = product(inDims);
  const outSize = product(outDims);
  const kSize = product(kernel);
  const MK = Mg * kSize;
  const Y = allocFloats(x.type, N * M * outSize);
  // W per group as [(m, kf), c] and X per image as [j, c]: contiguous reductions over c.
  const Wt = allocFloats(x.type, group * MK * Cg);
  for (let gi = 0; gi < group; gi++) {
    for (let c = 0; c < Cg; c++) {
      const src = (gi * Cg + c) * MK;
      const dst = gi * MK * Cg + c;
      for (let q = 0; q < MK; q++) Wt[dst + q * Cg] = W[src + q]!;
    }
  }
  const band = Math.max(1, Math.min(inSize, Math.floor(BAND_FLOATS / Math.max(MK, Cg, 1))));
  const Xt = allocFloats(x.type, band * Cg);
  const col = allocFloats(x.type, band * MK);
  if (outSize > 0 && MK > 0) {
    for (let n = 0; n < N; n++) {
      for (let gi = 0; gi < group; gi++) {
        const xOff = (n * C + gi * Cg) * inSize;
        const yOff = (n * M + gi * Mg) * outSize;
        for (let j0 = 0; j0 < inSize; j0 += band) {
          const j1 = Math.min(inSize, j0 + band);
          for (let c = 0; c < Cg; c++) {
            const src = xOff + c * inSize;
            for (let j = j0; j < j1; j++) Xt[(j - j0) * Cg + c] = X[src + j]!;
          }
          gemmABt(j1 - j0, MK, Cg, Xt, 0, Wt, gi * MK * Cg, col, 0, MK, null, 0);
          addPatches(Y, yOff, Mg, plan, col, j0, j1);
        }
      }
    }
  }
  if (B) {
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const v = B[m]!;
        const o = (n * M + m) * outSize;
        for (let q = 0; q < outSize; q++) Y[o + q] += v;
      }
    }
  }
  return [floatsTo(x.type, Y, [N, M, ...outDims])];
}

/** ConvTranspose: N-D transposed convolution (output_padding, output_shape, auto_pad, group, dilations). */
export const convTransposeConfig: KernelConfig = {
  opType: 'ConvTranspose',
  kernel: convTranspose,
};
