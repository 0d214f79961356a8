import type { KernelConfig, KernelContext, Value } from '../../../backend.js';
import type { Tensor } from '../../../../ir/tensor.js';
import {
  type FloatArray, type Geometry, computeGeometry, convInputs, floatsOf, floatsTo, patchPlan, patches,
  product, readAutoPad, readPads, spatialInts,
} from './common.js';
import { gemmABt } from './matmul.js';
import { outArray } from '../alloc.js';

/** Most floats an im2col band may hold (bounds memory for large images). */
const BAND_FLOATS = 1 << 20;

export interface ConvResult {
  data: FloatArray;
  dims: number[];
}

/**
 * N-D grouped convolution in floats: X [N, C, ...in], W [M, C/group, ...k], optional bias [M].
 * im2col per band of output positions, then a register-blocked product with the filters
 * (a direct loop for depthwise 1-D / 2-D). Computes in X's precision (Float64Array or Float32Array),
 * into `out` when given (the output's storage, of X's array type and the output's size; every
 * element is written).
 */
export function convFloats(
  X: FloatArray, xDims: readonly number[], W: FloatArray, wDims: readonly number[], B: FloatArray | null,
  ctx: KernelContext, out?: (dims: readonly number[]) => FloatArray,
): ConvResult {
  const rank = xDims.length - 2;
  if (rank < 1) throw new Error(`X must have rank >= 3 (N, C, spatial...), got [${xDims.join(',')}]`);
  if (wDims.length !== xDims.length) throw new Error(`W has rank ${wDims.length}, X has rank ${xDims.length}`);
  const N = xDims[0]!, C = xDims[1]!, M = wDims[0]!, Cg = wDims[1]!;
  const group = ctx.attrs.int('group', 1);
  if (group < 1 || C !== Cg * group) throw new Error(`X has ${C} channels but W expects ${Cg} x group ${group}`);
  if (M % group !== 0) throw new Error(`W has ${M} filters, not divisible by group ${group}`);
  const kernel = wDims.slice(2);
  const ks = ctx.attrs.ints('kernel_shape', []);
  if (ks.length && (ks.length !== rank || ks.some((k, i) => k !== kernel[i]))) {
    throw new Error(`kernel_shape [${ks.join(',')}] does not match W spatial dims [${kernel.join(',')}]`);
  }
  const g = computeGeometry(
    xDims.slice(2), kernel, spatialInts(ctx, 'strides', rank, 1), spatialInts(ctx, 'dilations', rank, 1),
    readPads(ctx, rank), readAutoPad(ctx),
  );
  if (B && B.length !== M) throw new Error(`bias has ${B.length} values, expected ${M}`);
  const Mg = M / group;
  const outSize = product(g.outDims);
  const inSize = product(g.inDims);
  const kSize = product(kernel);
  const Kc = Cg * kSize;
  const f64 = X instanceof Float64Array;
  const dims = [N, M, ...g.outDims];
  const Y = out ? out(dims) : f64 ? new Float64Array(N * M * outSize) : new Float32Array(N * M * outSize);
  if (outSize === 0 || N === 0 || M === 0) return { data: Y, dims };
  if (Kc === 0) {
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) Y.fill(B ? B[m]! : 0, (n * M + m) * outSize, (n * M + m + 1) * outSize);
    return { data: Y, dims };
  }
  if (Cg === 1 && rank <= 2) {
    depthwise(X, W, B, Y, N, C, M, g);
    return { data: Y, dims };
  }
  const plan = patchPlan(g);
  const band = Math.max(4, Math.min(outSize, Math.floor(BAND_FLOATS / Kc)));
  const col = f64 ? new Float64Array(band * Kc) : new Float32Array(band * Kc);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inSize;
      const yOff = (n * M + gi * Mg) * outSize;
      for (let j0 = 0; j0 < outSize; j0 += band) {
        const j1 = Math.min(outSize, j0 + band);
        patches(X, xOff, Cg, plan, col, j0, j1);
        gemmABt(Mg, j1 - j0, Kc, W, gi * Mg * Kc, col, 0, Y, yOff + j0, outSize, B, gi * Mg);
      }
    }
  }
  return { data: Y, dims };
}

/**
 * Direct loop for convolutions with one input channel per group (depthwise), 1-D or 2-D: each
 * filter tap adds a scaled, strided row of the input onto an output row.
 */
function depthwise(
  X: FloatArray, W: FloatArray, B: FloatArray | null, Y: FloatArray, N: number, C: number, M: number, g: Geometry,
): void {
  const two = g.rank === 2;
  const H = two ? g.inDims[0]! : 1, Wd = g.inDims[g.rank - 1]!;
  const OH = two ? g.outDims[0]! : 1, OW = g.outDims[g.rank - 1]!;
  const KH = two ? g.kernel[0]! : 1, KW = g.kernel[g.rank - 1]!;
  const sH = two ? g.strides[0]! : 1, sW = g.strides[g.rank - 1]!;
  const dH = two ? g.dilations[0]! : 1, dW = g.dilations[g.rank - 1]!;
  const pH = two ? g.padsBegin[0]! : 0, pW = g.padsBegin[g.rank - 1]!;
  const Mg = M / C;
  const inSize = H * Wd, outSize = OH * OW, kSize = KH * KW;
  // Per kernel column: the output range whose input column is inside the image.
  const lo = new Int32Array(KW), hi = new Int32Array(KW), shift = new Int32Array(KW);
  for (let kw = 0; kw < KW; kw++) {
    const off = kw * dW - pW;
    shift[kw] = off;
    lo[kw] = off >= 0 ? 0 : Math.ceil(-off / sW);
    hi[kw] = Math.max(lo[kw]!, Math.min(OW, Math.floor((Wd - 1 - off) / sW) + 1));
  }
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const c = Math.floor(m / Mg);
      const xb = (n * C + c) * inSize;
      const yb = (n * M + m) * outSize;
      const wb = m * kSize;
      Y.fill(B ? B[m]! : 0, yb, yb + outSize);
      for (let oh = 0; oh < OH; oh++) {
        const yr = yb + oh * OW;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sH - pH + kh * dH;
          if (ih < 0 || ih >= H) continue;
          const xr = xb + ih * Wd;
          for (let kw = 0; kw < KW; kw++) {
            const w = W[wb + kh * KW + kw]!;
            const e = hi[kw]!;
            const xo = xr + shift[kw]!;
            if (sW === 1) for (let ow = lo[kw]!; ow < e; ow++) Y[yr + ow] += w * X[xo + ow]!;
            else for (let ow = lo[kw]!; ow < e; ow++) Y[yr + ow] += w * X[xo + ow * sW]!;
          }
        }
      }
    }
  }
}

/**
 * The convolution of a Conv / FusedConv node: float32 and float64 outputs are written straight into the
 * run's storage (the arena when there is one), other float types through a float32 copy.
 */
export function convOutput(inputs: readonly (Value | undefined)[], ctx: KernelContext): { x: Tensor; r: { data: FloatArray; dims: number[] } } {
  const { x, w, b } = convInputs(inputs);
  const direct = x.type === 'float32' || x.type === 'float64';
  const r = convFloats(floatsOf(x), x.dims, floatsOf(w), w.dims, b ? floatsOf(b) : null, ctx,
    direct ? (dims) => outArray(ctx, 0, x.type, dims) as FloatArray : undefined);
  return { x, r };
}

function conv(inputs: readonly (Value | undefined)[], ctx: KernelContext): Tensor[] {
  const { x, r } = convOutput(inputs, ctx);
  return [floatsTo(x.type, r.data, r.dims)];
}

/** Conv: N-D convolution with groups, strides, dilations, pads / auto_pad and optional bias. */
export const convConfig: KernelConfig = {
  opType: 'Conv',
  kernel: conv,
};
