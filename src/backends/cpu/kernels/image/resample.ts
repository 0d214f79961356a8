// Separable N-D resampling shared by Resize and Upsample: per-axis coordinate transforms, per-axis
// tap tables (nearest index, or interpolation taps and weights), and the gather / weighted passes.

import type { DataType, NumericArray, TensorData } from '../../../../ir/dtype.js';
import { allocData, isBigIntType, isFloatType } from '../../../../ir/dtype.js';
import { Tensor } from '../../../../ir/tensor.js';
import { fromFloats, readFloats } from '../../util/tensor.js';
import type { KernelContext } from '../../../backend.js';
import { outArray } from '../alloc.js';

export type CoordMode =
  | 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_crop_and_resize'
  | 'tf_half_pixel_for_nn';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';
export type InterpMode = 'nearest' | 'linear' | 'cubic';

const COORD_MODES: readonly string[] = [
  'half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize',
  'tf_half_pixel_for_nn', // opset 11-12 only
];
const NEAREST_MODES: readonly string[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

export function parseCoordMode(s: string): CoordMode {
  if (!COORD_MODES.includes(s)) throw new Error(`unsupported coordinate_transformation_mode '${s}'`);
  return s as CoordMode;
}

export function parseNearestMode(s: string): NearestMode {
  if (!NEAREST_MODES.includes(s)) throw new Error(`unsupported nearest_mode '${s}'`);
  return s as NearestMode;
}

export function parseInterpMode(s: string): InterpMode {
  if (s === 'nearest' || s === 'linear' || s === 'cubic') return s;
  throw new Error(`unsupported mode '${s}' (expected nearest, linear or cubic)`);
}

/** How one axis maps output positions to input coordinates. */
export interface AxisSpec {
  inLen: number;
  outLen: number;
  /** Scale used by the coordinate transform (output / input). */
  scale: number;
  /**
   * length_resized of the coordinate formulas: scale * inLen, which is the output length when
   * `sizes` is given and may be fractional with `scales` (as in the ONNX reference implementation).
   */
  lengthResized: number;
  roiStart: number;
  roiEnd: number;
}

/** Input coordinate of output position x (NaN when tf_crop_and_resize samples outside the input). */
export function originalCoord(x: number, mode: CoordMode, a: AxisSpec): number {
  const { inLen, outLen, scale, lengthResized } = a;
  switch (mode) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / lengthResized;
      const offset = (inLen / 2) * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel':
      return lengthResized > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return lengthResized === 1 ? 0 : (x * (inLen - 1)) / (lengthResized - 1);
    case 'asymmetric':
      return x / scale;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const span = (a.roiEnd - a.roiStart) * (inLen - 1);
      const v = lengthResized !== 1
        ? a.roiStart * (inLen - 1) + (x * span) / (lengthResized - 1)
        : a.roiStart * (inLen - 1) + span / 2;
      return v < 0 || v > inLen - 1 ? NaN : v;
    }
  }
}

function roundNearest(v: number, mode: NearestMode, downsample: boolean): number {
  switch (mode) {
    case 'round_prefer_floor': {
      const f = Math.floor(v);
      return v - f === 0.5 ? f : Math.round(v);
    }
    case 'round_prefer_ceil':
      return Math.round(v);
    case 'floor':
      return Math.floor(v);
    case 'ceil':
      return Math.ceil(v);
    case 'simple':
      // Upsample / Resize-10: truncate when upsampling, ceil when downsampling.
      return downsample ? Math.ceil(v) : Math.trunc(v);
  }
}

/** For each output position, the input index (clamped), or -1 for tf_crop_and_resize extrapolation. */
export function nearestTable(a: AxisSpec, mode: CoordMode, nearest: NearestMode): Int32Array {
  const t = new Int32Array(a.outLen);
  const last = a.inLen - 1;
  const down = a.scale < 1;
  for (let x = 0; x < a.outLen; x++) {
    const v = originalCoord(x, mode, a);
    if (v !== v) { t[x] = -1; continue; }
    const i = roundNearest(v, nearest, down);
    t[x] = i < 0 ? 0 : i > last ? last : i;
  }
  return t;
}

/** Interpolation taps of one axis: `n` (index, weight) pairs per output position. */
export interface TapTable {
  n: number;
  idx: Int32Array;
  w: Float64Array;
  /** tf_crop_and_resize: 1 where the output position lies outside the input (extrapolated). */
  outside: Uint8Array | null;
}

export interface InterpOptions {
  mode: 'linear' | 'cubic';
  coord: CoordMode;
  cubicA: number;
  excludeOutside: boolean;
  antialias: boolean;
}

function cubicKernel(x: number, A: number): number {
  x = Math.abs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

export function interpTable(a: AxisSpec, o: InterpOptions): TapTable {
  const { inLen, outLen } = a;
  // Antialiasing stretches the kernel by 1/scale when downsampling.
  const s = o.antialias && a.scale < 1 ? a.scale : 1;
  const support = o.mode === 'linear' ? 1 : 2;
  const start = s < 1 ? Math.floor(-support / s) + 1 : 1 - support;
  const n = 2 - 2 * start;
  const idx = new Int32Array(outLen * n);
  const w = new Float64Array(outLen * n);
  let outside: Uint8Array | null = null;
  const last = inLen - 1;
  for (let x = 0; x < outLen; x++) {
    const v = originalCoord(x, o.coord, a);
    const k = x * n;
    if (v !== v) {
      (outside ??= new Uint8Array(outLen))[x] = 1;
      idx[k] = 0;
      w[k] = 1; // value is replaced by the extrapolation value
      continue;
    }
    // The left neighbour is ceil(v) - 1 so that the fractional part lies in (0, 1].
    const base = Math.ceil(v) - 1;
    const ratio = v - base;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const p = base + i;
      let wt = o.mode === 'linear' ? Math.max(0, 1 - Math.abs((i - ratio) * s)) : cubicKernel((i - ratio) * s, o.cubicA);
      if (o.excludeOutside && (p < 0 || p > last)) wt = 0;
      w[k + j] = wt;
      idx[k + j] = p < 0 ? 0 : p > last ? last : p;
      sum += wt;
    }
    if ((s < 1 || o.excludeOutside) && sum !== 0 && sum !== 1) for (let j = 0; j < n; j++) w[k + j]! /= sum;
  }
  return { n, idx, w, outside };
}

/** Gather `src` (any storage) into `outDims` using one index table per axis (null = identity). */
export function gatherNearest(
  src: TensorData, type: DataType, inDims: readonly number[], outDims: readonly number[],
  tables: readonly (Int32Array | null)[], extrapolation: number, ctx?: KernelContext,
): TensorData {
  const rank = inDims.length;
  let total = 1;
  for (const d of outDims) total *= d;
  const extrapolated = tables.some((t) => t && t.includes(-1));
  if (type === 'string' || extrapolated || rank === 0 || total === 0) {
    const out = allocData(type, total) as TensorData;
    if (total === 0) return out;
    if (rank === 0) { (out as unknown[])[0] = (src as unknown[])[0]; return out; }
    gatherGeneric(src, out, type, inDims, outDims, tables, extrapolation);
    return out;
  }
  // every element is written below: storage from the run's arena needs no zeroing
  const out = outArray(ctx, 0, type, outDims);
  // Numeric storage: move raw bits through 1/2/4-byte views (8/16-byte elements as 2/4 lanes).
  const data = src as NumericArray;
  const elemBytes = data.BYTES_PER_ELEMENT * (data.length / Math.max(sizeOfDims(inDims), 1));
  const unit = elemBytes === 1 ? 1 : elemBytes === 2 ? 2 : 4;
  const L = elemBytes / unit;
  const view = (a: NumericArray) => {
    const n = (a.length * a.BYTES_PER_ELEMENT) / unit;
    return unit === 1 ? new Uint8Array(a.buffer, a.byteOffset, n) : unit === 2 ? new Uint16Array(a.buffer, a.byteOffset, n) : new Uint32Array(a.buffer, a.byteOffset, n);
  };
  gatherUnits(view(data), view(out as NumericArray), L, inDims, outDims, tables);
  return out;
}

function sizeOfDims(d: readonly number[]): number {
  let n = 1;
  for (const v of d) n *= v;
  return n;
}

/** Nearest gather of raw units (`L` units per element); no extrapolation. */
function gatherUnits(
  from: Uint8Array | Uint16Array | Uint32Array, dst: Uint8Array | Uint16Array | Uint32Array, L: number,
  inDims: readonly number[], outDims: readonly number[], tables: readonly (Int32Array | null)[],
): void {
  const rank = inDims.length;
  const inStr = new Array<number>(rank);
  let acc = L;
  for (let i = rank - 1; i >= 0; i--) { inStr[i] = acc; acc *= inDims[i]!; }
  const W = outDims[rank - 1]!;
  const WL = W * L;
  const lastT = tables[rank - 1] ?? null;
  const lastIdx = new Int32Array(WL);
  for (let j = 0; j < W; j++) for (let l = 0; l < L; l++) lastIdx[j * L + l] = (lastT ? lastT[j]! : j) * L + l;
  // Integer-factor upsampling of the last axis (out[j] = in[floor(j / f)]) gets a copy loop.
  let factor = 0;
  if (lastT && L === 1 && W % inDims[rank - 1]! === 0) {
    const f = W / inDims[rank - 1]!;
    factor = f;
    for (let j = 0; j < W; j++) if (lastT[j] !== Math.floor(j / f)) { factor = 0; break; }
  }
  const inW = inDims[rank - 1]!;
  const rows = sizeOfDims(outDims) / W;
  const counter = new Int32Array(Math.max(rank - 1, 0));
  let prevBase = -1;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    let base = 0;
    for (let ax = 0; ax < rank - 1; ax++) {
      const t = tables[ax];
      base += (t ? t[counter[ax]!]! : counter[ax]!) * inStr[ax]!;
    }
    if (base === prevBase) {
      // Same input row as the previous output row (e.g. nearest upsampling): copy it.
      dst.copyWithin(o, o - WL, o);
    } else if (lastT === null) {
      dst.set(from.subarray(base, base + WL), o);
    } else if (factor === 2) {
      for (let i = 0, q = o; i < inW; i++, q += 2) { const v = from[base + i]!; dst[q] = v; dst[q + 1] = v; }
    } else if (factor > 0) {
      for (let i = 0, q = o; i < inW; i++) { const v = from[base + i]!; for (let f = 0; f < factor; f++) dst[q++] = v; }
    } else {
      for (let j = 0; j < WL; j++) dst[o + j] = from[base + lastIdx[j]!]!;
    }
    o += WL;
    prevBase = base;
    for (let ax = rank - 2; ax >= 0; ax--) {
      if (++counter[ax]! < outDims[ax]!) break;
      counter[ax] = 0;
    }
  }
}

/** Element-wise nearest gather for any storage, with tf_crop_and_resize extrapolation (-1 entries). */
function gatherGeneric(
  src: TensorData, out: TensorData, type: DataType, inDims: readonly number[], outDims: readonly number[],
  tables: readonly (Int32Array | null)[], extrapolation: number,
): void {
  const rank = inDims.length;
  const dst = out as unknown as { [i: number]: unknown };
  const from = src as unknown as { [i: number]: unknown };
  const inStr = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) { inStr[i] = acc; acc *= inDims[i]!; }
  const W = outDims[rank - 1]!;
  const lastT = tables[rank - 1] ?? null;
  let extrap: unknown;
  if (type === 'string') extrap = '';
  else if (isBigIntType(type)) extrap = BigInt(Math.trunc(extrapolation));
  else if (type === 'bool') extrap = extrapolation !== 0 ? 1 : 0;
  else extrap = fromCompute(type, Float64Array.of(extrapolation), [1]).data[0];
  const rows = sizeOfDims(outDims) / W;
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    // Input offset of this output row (-1 when any outer axis is extrapolated).
    let base = 0;
    for (let ax = 0; ax < rank - 1; ax++) {
      const t = tables[ax];
      const i = t ? t[counter[ax]!]! : counter[ax]!;
      if (i < 0) { base = -1; break; }
      base += i * inStr[ax]!;
    }
    for (let j = 0; j < W; j++) {
      const i = lastT ? lastT[j]! : j;
      dst[o++] = base < 0 || i < 0 ? extrap : from[base + i];
    }
    for (let ax = rank - 2; ax >= 0; ax--) {
      if (++counter[ax]! < outDims[ax]!) break;
      counter[ax] = 0;
    }
  }
}

/** One separable interpolation pass along `axis`. */
function interpPass(src: Float32Array | Float64Array, dims: number[], axis: number, t: TapTable): Float32Array | Float64Array {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i]!;
  let inner = 1;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
  const inLen = dims[axis]!;
  const outLen = t.idx.length / t.n;
  const dst = src instanceof Float64Array ? new Float64Array(outer * outLen * inner) : new Float32Array(outer * outLen * inner);
  const { n, idx, w } = t;
  for (let o = 0; o < outer; o++) {
    const sb = o * inLen * inner;
    const db = o * outLen * inner;
    if (inner === 1) {
      if (n === 2) {
        for (let j = 0; j < outLen; j++) {
          const k = j * 2;
          dst[db + j] = w[k]! * src[sb + idx[k]!]! + w[k + 1]! * src[sb + idx[k + 1]!]!;
        }
      } else {
        for (let j = 0; j < outLen; j++) {
          let acc = 0;
          const k = j * n;
          for (let q = 0; q < n; q++) acc += w[k + q]! * src[sb + idx[k + q]!]!;
          dst[db + j] = acc;
        }
      }
    } else {
      for (let j = 0; j < outLen; j++) {
        const d = db + j * inner;
        const k = j * n;
        if (n === 2) {
          const w0 = w[k]!, w1 = w[k + 1]!;
          const s0 = sb + idx[k]! * inner, s1 = sb + idx[k + 1]! * inner;
          for (let e = 0; e < inner; e++) dst[d + e] = w0 * src[s0 + e]! + w1 * src[s1 + e]!;
        } else {
          for (let q = 0; q < n; q++) {
            const wq = w[k + q]!;
            if (wq === 0) continue;
            const s = sb + idx[k + q]! * inner;
            for (let e = 0; e < inner; e++) dst[d + e] += wq * src[s + e]!;
          }
        }
      }
    }
  }
  dims[axis] = outLen;
  return dst;
}

/**
 * Resampling of the two innermost axes plane by plane: each needed input row is resampled along
 * the last axis once into a small ring of row buffers, then output rows blend those rows. This
 * avoids a full-size intermediate tensor.
 */
function interp2d(src: Float32Array | Float64Array, dims: number[], th: TapTable, tw: TapTable): Float32Array | Float64Array {
  const rank = dims.length;
  const inH = dims[rank - 2]!, inW = dims[rank - 1]!;
  const outH = th.idx.length / th.n, outW = tw.idx.length / tw.n;
  let planes = 1;
  for (let i = 0; i < rank - 2; i++) planes *= dims[i]!;
  const f64 = src instanceof Float64Array;
  const dst = f64 ? new Float64Array(planes * outH * outW) : new Float32Array(planes * outH * outW);
  const nh = th.n, nw = tw.n;
  const { idx: ih, w: wh } = th;
  const { idx: iw, w: ww } = tw;
  // The taps of one output row are nh consecutive input rows (clamped), so row r can live in slot r % nh.
  const slots = Array.from({ length: nh }, () => (f64 ? new Float64Array(outW) : new Float32Array(outW)));
  const slotRow = new Int32Array(nh);
  for (let pl = 0; pl < planes; pl++) {
    const sb = pl * inH * inW;
    slotRow.fill(-1);
    for (let i = 0; i < outH; i++) {
      for (let q = 0; q < nh; q++) {
        const r = ih[i * nh + q]!;
        const slot = r % nh;
        if (slotRow[slot] === r) continue;
        slotRow[slot] = r;
        const row = slots[slot]!;
        const rb = sb + r * inW;
        if (nw === 2) {
          for (let j = 0, k = 0; j < outW; j++, k += 2) row[j] = ww[k]! * src[rb + iw[k]!]! + ww[k + 1]! * src[rb + iw[k + 1]!]!;
        } else {
          for (let j = 0, k = 0; j < outW; j++) {
            let acc = 0;
            for (const e = k + nw; k < e; k++) acc += ww[k]! * src[rb + iw[k]!]!;
            row[j] = acc;
          }
        }
      }
      const d = (pl * outH + i) * outW;
      const k = i * nh;
      if (nh === 2) {
        const a = slots[ih[k]! % 2]!, b = slots[ih[k + 1]! % 2]!;
        const wa = wh[k]!, wb = wh[k + 1]!;
        for (let j = 0; j < outW; j++) dst[d + j] = wa * a[j]! + wb * b[j]!;
      } else {
        for (let q = 0; q < nh; q++) {
          const wq = wh[k + q]!;
          if (wq === 0) continue;
          const row = slots[ih[k + q]! % nh]!;
          for (let j = 0; j < outW; j++) dst[d + j] += wq * row[j]!;
        }
      }
    }
  }
  dims[rank - 2] = outH;
  dims[rank - 1] = outW;
  return dst;
}

/** Numbers for interpolating a tensor of any numeric type. */
function toCompute(x: Tensor): Float32Array | Float64Array {
  if (x.type === 'float64') return x.data as Float64Array;
  if (x.type === 'float32') return x.data as Float32Array;
  if (x.type === 'float16' || x.type === 'bfloat16') return readFloats(x) as Float32Array;
  if (x.type === 'string' || x.type === 'bool' || x.type.startsWith('complex') || (isFloatType(x.type))) {
    throw new Error(`linear and cubic interpolation do not support ${x.type}`);
  }
  if (isBigIntType(x.type)) return Float64Array.from(x.data as BigInt64Array, (v) => Number(v));
  return Float64Array.from(x.data as Int32Array);
}

const INT_RANGE: Partial<Record<DataType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function fromCompute(type: DataType, v: Float32Array | Float64Array, dims: readonly number[]): Tensor {
  if (isFloatType(type)) return fromFloats(type, v, dims);
  // Integers: round half to even (like the ONNX reference) and saturate.
  const out = allocData(type, v.length) as NumericArray;
  if (isBigIntType(type)) {
    for (let i = 0; i < v.length; i++) (out as BigInt64Array)[i] = BigInt(roundEven(v[i]!));
  } else {
    const [lo, hi] = INT_RANGE[type] ?? [-Infinity, Infinity];
    for (let i = 0; i < v.length; i++) { const r = roundEven(v[i]!); (out as Int32Array)[i] = r < lo ? lo : r > hi ? hi : r; }
  }
  return new Tensor(type, out, dims);
}

/** Separable linear/cubic resampling of `x` into `outDims` (tables null for untouched axes). */
export function interpolate(x: Tensor, outDims: readonly number[], tables: readonly (TapTable | null)[], extrapolation: number): Tensor {
  let cur = toCompute(x);
  const dims = [...x.dims];
  const rank = dims.length;
  const touched = [...Array(rank).keys()].filter((a) => tables[a]);
  if (touched.length === 2 && touched[0] === rank - 2 && touched[1] === rank - 1) {
    // The usual image case: only the two innermost axes change.
    cur = interp2d(cur, dims, tables[rank - 2]!, tables[rank - 1]!);
  } else {
    // Shrinking axes first keeps the intermediate tensors small.
    const order = touched.sort((p, q) => outDims[p]! / dims[p]! - outDims[q]! / dims[q]! || q - p);
    if (order.length === 0) cur = cur.slice();
    for (const a of order) cur = interpPass(cur, dims, a, tables[a]!);
  }
  // tf_crop_and_resize: positions sampled outside the input take the extrapolation value.
  if (tables.some((t) => t?.outside)) {
    const strides = new Array<number>(rank);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) { strides[i] = acc; acc *= outDims[i]!; }
    for (let a = 0; a < rank; a++) {
      const out = tables[a]?.outside;
      if (!out) continue;
      const outer = acc / (strides[a]! * outDims[a]!);
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < outDims[a]!; j++) {
          if (!out[j]) continue;
          const b = (o * outDims[a]! + j) * strides[a]!;
          cur.fill(extrapolation, b, b + strides[a]!);
        }
      }
    }
  }
  return fromCompute(x.type, cur, outDims);
}

/** Output size of `inLen` scaled by a float32 `scale` (floor of the float32 product, like onnxruntime). */
export function scaledLength(inLen: number, scale: number): number {
  return Math.floor(Math.fround(Math.fround(scale) * inLen));
}

export interface ResizeParams {
  /** The kernel's context: a nearest resize writes its output where it says (the run's arena: alloc.ts). */
  ctx?: KernelContext;
  mode: InterpMode;
  coord: CoordMode;
  nearest: NearestMode;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  antialias: boolean;
}

/** Resample `x` given per-dimension axis specs (identity dims untouched). */
export function resample(x: Tensor, specs: readonly AxisSpec[], p: ResizeParams): Tensor {
  const rank = x.rank;
  const outDims = specs.map((s) => s.outLen);
  const identity = (s: AxisSpec) => s.inLen === s.outLen && s.scale === 1 &&
    (p.coord !== 'tf_crop_and_resize' || (s.roiStart === 0 && s.roiEnd === 1)) &&
    (p.coord !== 'align_corners' || s.lengthResized === s.outLen);
  if (specs.every(identity)) return x;
  if (outDims.some((d) => d === 0) || x.size === 0) {
    if (x.size === 0 && outDims.some((d, i) => d > 0 && x.dims[i] === 0)) throw new Error(`cannot resize an empty dimension to a non-empty one`);
    return Tensor.zeros(x.type, outDims);
  }
  if (p.mode === 'nearest') {
    const tables = specs.map((s) => (identity(s) ? null : nearestTable(s, p.coord, p.nearest)));
    return new Tensor(x.type, gatherNearest(x.data, x.type, x.dims, outDims, tables, p.extrapolation, p.ctx), outDims);
  }
  const tables: (TapTable | null)[] = new Array(rank).fill(null);
  for (let a = 0; a < rank; a++) {
    if (identity(specs[a]!)) continue;
    tables[a] = interpTable(specs[a]!, { mode: p.mode, coord: p.coord, cubicA: p.cubicA, excludeOutside: p.excludeOutside, antialias: p.antialias });
  }
  return interpolate(x, outDims, tables, p.extrapolation);
}
