// Shared helpers for the convolution and pooling kernels: attribute parsing, output geometry
// (explicit pads, auto_pad, ceil_mode), float views of inputs and an N-D im2col.

import type { KernelContext, Value } from '../../../backend.js';
import type { DataType } from '../../../../ir/dtype.js';
import { Tensor } from '../../../../ir/tensor.js';
import { fromFloats, optTensor, readFloats, tensorAt } from '../../util/tensor.js';

export type FloatArray = Float32Array | Float64Array;

/** Spatial geometry of a windowed op (conv or pool) over `rank` spatial dims. */
export interface Geometry {
  rank: number;
  /** Input spatial dims. */
  inDims: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before each spatial dim (may be negative for explicit negative pads). */
  padsBegin: number[];
  /** Padding after each spatial dim, as declared (auto_pad resolved). */
  padsEnd: number[];
  outDims: number[];
}

/** Read an int list attribute of length `rank` (`fill` repeated when absent). */
export function spatialInts(ctx: Pick<KernelContext, 'attrs'>, name: string, rank: number, fill: number): number[] {
  const v = ctx.attrs.ints(name, []);
  if (v.length === 0) return new Array<number>(rank).fill(fill);
  if (v.length !== rank) throw new Error(`attribute '${name}' has ${v.length} values, expected ${rank} (one per spatial dim)`);
  return v.slice();
}

/** Read `pads` (2 * rank values: all begins then all ends). */
export function readPads(ctx: KernelContext, rank: number): number[] {
  const v = ctx.attrs.ints('pads', []);
  if (v.length === 0) return new Array<number>(2 * rank).fill(0);
  if (v.length !== 2 * rank) throw new Error(`attribute 'pads' has ${v.length} values, expected ${2 * rank}`);
  return v.slice();
}

export function readAutoPad(ctx: KernelContext): string {
  const a = ctx.attrs.string('auto_pad', 'NOTSET');
  if (a !== 'NOTSET' && a !== 'SAME_UPPER' && a !== 'SAME_LOWER' && a !== 'VALID') {
    throw new Error(`auto_pad '${a}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  return a;
}

/**
 * Output geometry for convolution and pooling.
 * - NOTSET: explicit pads; out = floor((in + pb + pe - effK) / s) + 1 (ceil with ceil_mode, where
 *   the last window must start inside the input or the begin padding).
 * - VALID: no padding; out = floor((in - effK) / s) + 1.
 * - SAME_UPPER / SAME_LOWER: out = ceil(in / s); total padding split with the odd one at the end
 *   (UPPER) or the beginning (LOWER).
 */
export function computeGeometry(
  inDims: readonly number[], kernel: number[], strides: number[], dilations: number[],
  pads: number[], autoPad: string, ceilMode = false,
): Geometry {
  const rank = inDims.length;
  const padsBegin = new Array<number>(rank);
  const padsEnd = new Array<number>(rank);
  const outDims = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const k = kernel[i]!, s = strides[i]!, d = dilations[i]!, n = inDims[i]!;
    if (k < 1) throw new Error(`kernel size ${k} must be positive`);
    if (s < 1) throw new Error(`stride ${s} must be positive`);
    if (d < 1) throw new Error(`dilation ${d} must be positive`);
    const effK = (k - 1) * d + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(n / s);
      const total = Math.max(0, (out - 1) * s + effK - n);
      const small = Math.floor(total / 2);
      padsBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      padsEnd[i] = total - padsBegin[i]!;
      outDims[i] = out;
    } else if (autoPad === 'VALID') {
      padsBegin[i] = 0;
      padsEnd[i] = 0;
      outDims[i] = Math.max(0, Math.floor((n - effK) / s) + 1);
    } else {
      const pb = pads[i]!, pe = pads[i + rank]!;
      padsBegin[i] = pb;
      padsEnd[i] = pe;
      const span = n + pb + pe - effK;
      let out: number;
      if (ceilMode) {
        out = Math.ceil(span / s) + 1;
        // The last window must start inside the input or the begin padding.
        if (out > 1 && (out - 1) * s >= n + pb) out--;
      } else {
        out = Math.floor(span / s) + 1;
      }
      outDims[i] = Math.max(0, out);
    }
  }
  return { rank, inDims: inDims.slice(), kernel, strides, dilations, padsBegin, padsEnd, outDims };
}

export function product(a: readonly number[], from = 0, to = a.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= a[i]!;
  return p;
}

/** Float types the float kernels accept. */
export const FLOAT_TYPES: readonly DataType[] = ['float32', 'float64', 'float16', 'bfloat16'];

export function checkFloat(t: Tensor, what: string): void {
  if (!FLOAT_TYPES.includes(t.type)) throw new Error(`${what} has type ${t.type}; expected a float type`);
}

/** X, W and the optional bias B of a Conv-like node (Conv, FusedConv, ConvTranspose): a float X, and W and B of its type. */
export function convInputs(inputs: readonly (Value | undefined)[]): { x: Tensor; w: Tensor; b: Tensor | undefined } {
  const x = tensorAt(inputs, 0, 'X');
  const w = tensorAt(inputs, 1, 'W');
  const b = optTensor(inputs, 2);
  checkFloat(x, 'X');
  if (w.type !== x.type) throw new Error(`W has type ${w.type}, X has ${x.type}`);
  if (b && b.type !== x.type) throw new Error(`B has type ${b.type}, X has ${x.type}`);
  return { x, w, b };
}

/** Float data to compute on: Float64Array for float64, else Float32Array (decoding halves). */
export function floatsOf(t: Tensor): FloatArray {
  const d = readFloats(t);
  if (d instanceof Float32Array || d instanceof Float64Array) return d;
  return Float32Array.from(d as ArrayLike<number>);
}

/** Wrap computed floats as a tensor of `type` (float32 and float64 are not copied). */
export function floatsTo(type: DataType, data: FloatArray, dims: readonly number[]): Tensor {
  if (type === 'float32' && data instanceof Float32Array) return new Tensor(type, data, dims);
  if (type === 'float64' && data instanceof Float64Array) return new Tensor(type, data, dims);
  return fromFloats(type, data, dims);
}

export function allocFloats(type: DataType, n: number): FloatArray {
  return type === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/**
 * Per spatial dim i, a table `map[i][k * out_i + o]`: the input coordinate read by kernel tap k at
 * output position o, or -1 where it falls into padding.
 */
export function tapTables(g: Geometry): Int32Array[] {
  const tables: Int32Array[] = [];
  for (let i = 0; i < g.rank; i++) {
    const K = g.kernel[i]!, O = g.outDims[i]!, n = g.inDims[i]!;
    const s = g.strides[i]!, d = g.dilations[i]!, pb = g.padsBegin[i]!;
    const t = new Int32Array(K * O);
    for (let k = 0; k < K; k++) {
      for (let o = 0; o < O; o++) {
        const x = o * s - pb + k * d;
        t[k * O + o] = x >= 0 && x < n ? x : -1;
      }
    }
    tables.push(t);
  }
  return tables;
}

/** Row-major strides of `dims`. */
export function stridesFor(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]!; }
  return s;
}

/** Precomputed state for `patches`: per kernel tap, its index along each spatial dim. */
export interface PatchPlan {
  g: Geometry;
  tables: Int32Array[];
  kSize: number;
  inSize: number;
  inStrides: number[];
  /** kIdx[kf * rank + i]: index of tap kf along dim i. */
  kIdx: Int32Array;
  /** Scratch: per tap, the input offset for the current output position (-1 in padding). */
  offs: Int32Array;
}

export function patchPlan(g: Geometry): PatchPlan {
  const r = g.rank;
  const kSize = product(g.kernel);
  const kIdx = new Int32Array(kSize * r);
  const kStr = stridesFor(g.kernel);
  for (let kf = 0; kf < kSize; kf++) {
    for (let i = 0; i < r; i++) kIdx[kf * r + i] = Math.floor(kf / kStr[i]!) % g.kernel[i]!;
  }
  return {
    g, tables: tapTables(g), kSize, inSize: product(g.inDims), inStrides: stridesFor(g.inDims),
    kIdx, offs: new Int32Array(kSize),
  };
}

/**
 * im2col into patch rows: for output positions [jStart, jEnd) (row-major over the output spatial
 * dims) and channels [0, cCount) of the image at `xOff`, writes the patch of position j at
 * `col[(j - jStart) * cCount * kSize + c * kSize + kf]` (0 where the tap reads padding).
 */
export function patches(
  X: FloatArray, xOff: number, cCount: number, p: PatchPlan, col: FloatArray, jStart: number, jEnd: number,
): void {
  const { g, tables, kSize, inSize, inStrides, kIdx, offs } = p;
  const r = g.rank;
  const outDims = g.outDims;
  const oIdx = new Array<number>(r).fill(0);
  let rem = jStart;
  for (let i = r - 1; i >= 0; i--) { oIdx[i] = rem % outDims[i]!; rem = Math.floor(rem / outDims[i]!); }
  let pos = 0;
  for (let j = jStart; j < jEnd; j++) {
    // Input offset of every tap for this output position.
    let anyPad = false;
    for (let kf = 0; kf < kSize; kf++) {
      let off = 0;
      for (let i = 0; i < r; i++) {
        const x = tables[i]![kIdx[kf * r + i]! * outDims[i]! + oIdx[i]!]!;
        if (x < 0) { off = -1; break; }
        off += x * inStrides[i]!;
      }
      if (off < 0) anyPad = true;
      offs[kf] = off;
    }
    if (anyPad) {
      for (let c = 0; c < cCount; c++) {
        const base = xOff + c * inSize;
        for (let kf = 0; kf < kSize; kf++) {
          const off = offs[kf]!;
          col[pos++] = off < 0 ? 0 : X[base + off]!;
        }
      }
    } else {
      for (let c = 0; c < cCount; c++) {
        const base = xOff + c * inSize;
        for (let kf = 0; kf < kSize; kf++) col[pos++] = X[base + offs[kf]!]!;
      }
    }
    for (let i = r - 1; i >= 0; i--) {
      if (++oIdx[i]! < outDims[i]!) break;
      oIdx[i] = 0;
    }
  }
}

/**
 * The adjoint of `patches` (col2im): adds each patch value back onto the image at `yOff` (channels
 * [0, cCount), spatial dims = the plan's input dims); taps that fall into padding are dropped.
 * `col` is laid out as `patches` writes it.
 */
export function addPatches(
  Y: FloatArray, yOff: number, cCount: number, p: PatchPlan, col: FloatArray, jStart: number, jEnd: number,
): void {
  const { g, tables, kSize, inSize, inStrides, kIdx, offs } = p;
  const r = g.rank;
  const outDims = g.outDims;
  const oIdx = new Array<number>(r).fill(0);
  let rem = jStart;
  for (let i = r - 1; i >= 0; i--) { oIdx[i] = rem % outDims[i]!; rem = Math.floor(rem / outDims[i]!); }
  let pos = 0;
  for (let j = jStart; j < jEnd; j++) {
    for (let kf = 0; kf < kSize; kf++) {
      let off = 0;
      for (let i = 0; i < r; i++) {
        const x = tables[i]![kIdx[kf * r + i]! * outDims[i]! + oIdx[i]!]!;
        if (x < 0) { off = -1; break; }
        off += x * inStrides[i]!;
      }
      offs[kf] = off;
    }
    for (let c = 0; c < cCount; c++) {
      const base = yOff + c * inSize;
      for (let kf = 0; kf < kSize; kf++) {
        const off = offs[kf]!;
        if (off >= 0) Y[base + off] += col[pos]!;
        pos++;
      }
    }
    for (let i = r - 1; i >= 0; i--) {
      if (++oIdx[i]! < outDims[i]!) break;
      oIdx[i] = 0;
    }
  }
}
