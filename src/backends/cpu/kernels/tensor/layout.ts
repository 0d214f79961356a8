// Private helpers for data-movement kernels (tensor/ and shape/ families): dtype-generic strided
// copies, block and indexed copies over raw storage views, index reading and axis handling.
// Kernels move bits, never convert values, so every dtype (strings, bool, int64, float16,
// complex) goes through the same code.

import type { Value } from '../../../backend.js';
import { type DataType, type TensorData, allocData, isBigIntType, lanes } from '../../../../ir/dtype.js';
import { Tensor, type Dims, sizeOf } from '../../../../ir/tensor.js';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../../../ir/float16.js';
import { stridesOf } from '../../util/tensor.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Storage viewed as an indexable array of any element kind. */
export type Store = { [i: number]: any; length: number };

// ---- Raw storage views ------------------------------------------------------------------------
// Data movement never needs values, only bits. Every numeric storage is viewed as 8-, 16- or
// 32-bit integer units (8-byte and complex elements span several 32-bit units), so the copy loops
// below see only four array kinds and stay monomorphic per kind; a loop fed Float32Array, BigInt64Array
// and string[] at one site gets megamorphic and about ten times slower.

/** A storage array as copy units: Uint8Array, Uint16Array, Int32Array, or string[]. */
export type Raw = Uint8Array | Uint16Array | Int32Array | string[];

/** A storage array seen as raw units, with L units per element. */
export interface RawData { v: Raw; L: number }

/** The raw-unit view of `data` (storage of `type`); no copy. */
export function raw(type: DataType, data: TensorData): RawData {
  if (Array.isArray(data)) return { v: data, L: 1 };
  const bytes = data.BYTES_PER_ELEMENT * (type === 'string' ? 1 : lanes(type));
  const { buffer, byteOffset, byteLength } = data;
  if (bytes % 4 === 0) return { v: new Int32Array(buffer, byteOffset, byteLength / 4), L: bytes / 4 };
  if (bytes === 2) return { v: new Uint16Array(buffer, byteOffset, byteLength / 2), L: 1 };
  return { v: new Uint8Array(buffer, byteOffset, byteLength), L: 1 };
}

/** Zeroed storage for `n` elements of `type` plus its raw view. */
export function rawAlloc(type: DataType, n: number): { data: TensorData } & RawData {
  const data = allocData(type, n);
  return { data, ...raw(type, data) };
}

/** Above this many units `set(subarray)` beats an element loop. */
const SET_MIN = 48;

/** Copy `len` units from `src[s..]` to `dst[d..]` (both views of the same kind). */
export function copyRange(src: Raw, s: number, dst: Raw, d: number, len: number): void {
  if (src instanceof Int32Array) {
    const D = dst as Int32Array;
    if (len >= SET_MIN) D.set(src.subarray(s, s + len), d);
    else for (let i = 0; i < len; i++) D[d + i] = src[s + i]!;
  } else if (src instanceof Uint16Array) {
    const D = dst as Uint16Array;
    if (len >= SET_MIN) D.set(src.subarray(s, s + len), d);
    else for (let i = 0; i < len; i++) D[d + i] = src[s + i]!;
  } else if (src instanceof Uint8Array) {
    const D = dst as Uint8Array;
    if (len >= SET_MIN) D.set(src.subarray(s, s + len), d);
    else for (let i = 0; i < len; i++) D[d + i] = src[s + i]!;
  } else {
    const D = dst as string[];
    for (let i = 0; i < len; i++) D[d + i] = src[s + i]!;
  }
}

/** dst[o + j] = src[p + j * step] for j < len (units). */
function copyStrided(src: Raw, p: number, step: number, dst: Raw, o: number, len: number): void {
  if (src instanceof Int32Array) {
    const D = dst as Int32Array;
    for (let j = 0; j < len; j++, p += step) D[o + j] = src[p]!;
  } else if (src instanceof Uint16Array) {
    const D = dst as Uint16Array;
    for (let j = 0; j < len; j++, p += step) D[o + j] = src[p]!;
  } else if (src instanceof Uint8Array) {
    const D = dst as Uint8Array;
    for (let j = 0; j < len; j++, p += step) D[o + j] = src[p]!;
  } else {
    const D = dst as string[];
    for (let j = 0; j < len; j++, p += step) D[o + j] = src[p]!;
  }
}

/**
 * Indexed element copy: element o + j of dst receives element base + idx[j] of src, for j <
 * idx.length; entries with idx[j] < 0 are skipped. Offsets count elements of L units.
 */
export function copyIndexed(src: Raw, base: number, idx: ArrayLike<number>, dst: Raw, o: number, L: number): void {
  const n = idx.length;
  if (L !== 1) {
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      if (k >= 0) copyRange(src, (base + k) * L, dst, (o + j) * L, L);
    }
  } else if (src instanceof Int32Array) {
    const D = dst as Int32Array;
    for (let j = 0; j < n; j++) { const k = idx[j]!; if (k >= 0) D[o + j] = src[base + k]!; }
  } else if (src instanceof Uint16Array) {
    const D = dst as Uint16Array;
    for (let j = 0; j < n; j++) { const k = idx[j]!; if (k >= 0) D[o + j] = src[base + k]!; }
  } else if (src instanceof Uint8Array) {
    const D = dst as Uint8Array;
    for (let j = 0; j < n; j++) { const k = idx[j]!; if (k >= 0) D[o + j] = src[base + k]!; }
  } else {
    const D = dst as string[];
    for (let j = 0; j < n; j++) { const k = idx[j]!; if (k >= 0) D[o + j] = src[base + k]!; }
  }
}

/**
 * Gather elements through a strided view: output position k (row-major over `outDims`) receives
 * `src[offset + sum_i c_i * strides[i]]`. Strides may be 0 (broadcast) or negative (reversal).
 * Strides and offset count elements of `type`. Returns new storage of `type`.
 */
/** `dest`: storage to copy into (every element is written), else fresh. */
export function stridedCopy(type: DataType, src: TensorData, outDims: Dims, strides: readonly number[], offset: number, dest?: TensorData): TensorData {
  const { v: S, L } = raw(type, src);
  let dims = [...outDims];
  let st = [...strides];
  let off = offset;
  if (L > 1) {
    dims.push(L);
    st = st.map((x) => x * L);
    st.push(1);
    off *= L;
  }
  const n = sizeOf(dims);
  const { data: out, v: D } = dest ? { data: dest, ...raw(type, dest) } : rawAlloc(type, n / L);
  if (n === 0) return out;
  // Drop unit dims and merge dims that are contiguous with each other in the source.
  const cd: number[] = [];
  const cs: number[] = [];
  for (let i = 0; i < dims.length; i++) {
    if (dims[i] === 1) continue;
    const k = cd.length - 1;
    if (k >= 0 && cs[k] === st[i]! * dims[i]!) {
      cd[k]! *= dims[i]!;
      cs[k] = st[i]!;
    } else {
      cd.push(dims[i]!);
      cs.push(st[i]!);
    }
  }
  dims = cd;
  st = cs;
  const rank = dims.length;
  if (rank === 0) {
    copyRange(S, off, D, 0, 1);
    return out;
  }
  const inner = dims[rank - 1]!;
  const is = st[rank - 1]!;
  if (rank >= 2 && st[rank - 2] === 1 && is !== 0) {
    transposeBlocks(S, off, dims, st, D);
    return out;
  }
  const outer = n / inner;
  const counter = new Array<number>(rank).fill(0);
  let p = off;
  let o = 0;
  for (let r = 0; r < outer; r++) {
    if (is === 1) copyRange(S, p, D, o, inner);
    else if (is === 0) (D as Int32Array).fill(S[p] as number, o, o + inner);
    else copyStrided(S, p, is, D, o, inner);
    o += inner;
    for (let ax = rank - 2; ax >= 0; ax--) {
      p += st[ax]!;
      if (++counter[ax]! < dims[ax]!) break;
      p -= st[ax]! * dims[ax]!;
      counter[ax] = 0;
    }
  }
  return out;
}

/** Output columns per block of a 2-D transpose (keeps the source lines being read in cache). */
const BLOCK = 64;

/**
 * stridedCopy's path when the last two (coalesced) axes form a transpose: the second-to-last is
 * contiguous in the source and the last strided. Copies output columns in blocks of BLOCK for
 * every row, so each source cache line is reused across consecutive rows instead of reloaded.
 */
function transposeBlocks(S: Raw, off: number, dims: readonly number[], st: readonly number[], D: Raw): void {
  const rank = dims.length;
  const R = dims[rank - 2]!;
  const C = dims[rank - 1]!;
  const is = st[rank - 1]!;
  const plane = R * C;
  const planes = sizeOf(dims) / plane;
  const counter = new Array<number>(rank).fill(0);
  let p = off;
  for (let k = 0, o = 0; k < planes; k++, o += plane) {
    for (let c0 = 0; c0 < C; c0 += BLOCK) {
      const w = Math.min(BLOCK, C - c0);
      for (let r = 0; r < R; r++) copyStrided(S, p + r + c0 * is, is, D, o + r * C + c0, w);
    }
    for (let ax = rank - 3; ax >= 0; ax--) {
      p += st[ax]!;
      if (++counter[ax]! < dims[ax]!) break;
      p -= st[ax]! * dims[ax]!;
      counter[ax] = 0;
    }
  }
}

/** Row-major strides (elements) of `dims`. */
export const strides = stridesOf;

/** Product of dims[from..to). */
export function prod(dims: Dims, from = 0, to = dims.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i]!;
  return n;
}

/** Permute `x`'s axes: output axis i is input axis perm[i]. */
export function transposeTensor(x: Tensor, perm: readonly number[], dest?: (dims: Dims) => TensorData): Tensor {
  const st = strides(x.dims);
  const outDims = perm.map((p) => x.dims[p]!);
  const outSt = perm.map((p) => st[p]!);
  return new Tensor(x.type, stridedCopy(x.type, x.data, outDims, outSt, 0, dest?.(outDims)), outDims);
}

/** Copy `x` viewed as `viewDims` (same element count), permuted by `perm`, into a tensor of `outDims`. */
export function permuteView(x: Tensor, viewDims: readonly number[], perm: readonly number[], outDims: Dims): Tensor {
  const st = strides(viewDims);
  return new Tensor(x.type, stridedCopy(x.type, x.data, perm.map((p) => viewDims[p]!), perm.map((p) => st[p]!), 0), outDims);
}

/** Integer tensor values (int8..int64, uint*) as JS numbers. */
export function indexValues(t: Tensor, what = 'indices'): ArrayLike<number> {
  const d = t.data;
  if (Array.isArray(d) || !/^u?int\d+$/.test(t.type)) throw new Error(`${what} must be an integer tensor, got ${t.type}`);
  if (isBigIntType(t.type)) {
    const src = d as BigInt64Array;
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]!);
    return out;
  }
  return d as Int32Array;
}

/** An int64 shape/axes-like tensor as numbers (any numeric type accepted). */
export function intList(t: Tensor, what: string): number[] {
  const d = t.data;
  if (Array.isArray(d)) throw new Error(`${what} must be numeric, got ${t.type}`);
  if (isBigIntType(t.type)) return Array.from(d as BigInt64Array, (x) => Number(x));
  if (t.type === 'float16') return Array.from(d as Uint16Array, (x) => Math.trunc(f16BitsToF32(x)));
  if (t.type === 'bfloat16') return Array.from(d as Uint16Array, (x) => Math.trunc(bf16BitsToF32(x)));
  return Array.from(d as Float32Array, (x) => Math.trunc(x));
}

/** The optional input `i` as a tensor, or undefined when absent. */
export function opt(inputs: readonly (Value | undefined)[], i: number): Tensor | undefined {
  const v = inputs[i];
  return v instanceof Tensor ? v : undefined;
}

/** Normalize an axis into [0, rank), with a clear error. */
export function axisIn(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Normalize a list of axes; rejects duplicates. */
export function axesIn(axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => axisIn(a, rank, what));
  if (new Set(out).size !== out.length) throw new Error(`${what} [${axes.join(',')}] contain duplicates`);
  return out;
}

/** Normalize a gather/scatter index into [0, dim). */
export function wrapIndex(i: number, dim: number, what = 'index'): number {
  const j = i < 0 ? i + dim : i;
  if (!(j >= 0 && j < dim)) throw new Error(`${what} ${i} is out of range for dimension ${dim}`);
  return j;
}

/** A 1-element tensor's first value in storage form (number, bigint, string). */
export function firstElement(t: Tensor): unknown {
  if (t.size < 1) throw new Error(`expected a one-element tensor, got shape [${t.dims.join(',')}]`);
  return (t.data as Store)[0];
}

/** A new tensor of `type`/`dims` filled with the storage value `v`. */
export function filled(type: DataType, dims: Dims, v: unknown): Tensor {
  const n = sizeOf(dims);
  const data = allocData(type, n);
  const L = type === 'string' ? 1 : lanes(type);
  if (L === 1) {
    if (Array.isArray(data)) data.fill(v as string);
    else if (v !== 0 && v !== 0n) (data as any).fill(v);
  }
  return new Tensor(type, data, dims);
}


/**
 * Build an output of `outDims` where along each axis output index j reads input index
 * maps[axis][j], or is `fill` (storage value) where any axis maps to -1. Used by Pad and CenterCropPad.
 */
export function mapCopy(x: Tensor, outDims: Dims, maps: readonly Int32Array[], fill: unknown): Tensor {
  const r = x.rank;
  const n = sizeOf(outDims);
  const result = filled(x.type, outDims, fill);
  if (n === 0) return result;
  const { v: S, L } = raw(x.type, x.data);
  const { v: D } = raw(x.type, result.data);
  if (r === 0) {
    copyRange(S, 0, D, 0, L);
    return result;
  }
  const st = strides(x.dims);
  // Per-axis source offsets (or -1).
  const offs = maps.map((m, ax) => {
    const a = new Float64Array(m.length);
    for (let j = 0; j < m.length; j++) a[j] = m[j]! < 0 ? -1 : m[j]! * st[ax]!;
    return a;
  });
  const inner = outDims[r - 1]!;
  const lastMap = maps[r - 1]!;
  // The longest run of consecutive source indices in the last axis is copied as a block.
  let runStart = 0;
  let runLen = 0;
  for (let j = 0; j < inner;) {
    if (lastMap[j]! < 0) { j++; continue; }
    let k = j + 1;
    while (k < inner && lastMap[k] === lastMap[k - 1]! + 1) k++;
    if (k - j > runLen) { runStart = j; runLen = k - j; }
    j = k;
  }
  const runEnd = runStart + runLen;
  const head = lastMap.subarray(0, runStart);
  const tail = lastMap.subarray(runEnd);
  const runSrc = runLen > 0 ? lastMap[runStart]! : 0;
  const outer = n / inner;
  const counter = new Array<number>(r).fill(0);
  for (let row = 0; row < outer; row++) {
    let base = 0;
    let valid = true;
    for (let ax = 0; ax < r - 1; ax++) {
      const v = offs[ax]![counter[ax]!]!;
      if (v < 0) { valid = false; break; }
      base += v;
    }
    if (valid) {
      const o = row * inner;
      if (head.length) copyIndexed(S, base, head, D, o, L);
      if (runLen) copyRange(S, (base + runSrc) * L, D, (o + runStart) * L, runLen * L);
      if (tail.length) copyIndexed(S, base, tail, D, o + runEnd, L);
    }
    for (let ax = r - 2; ax >= 0; ax--) {
      if (++counter[ax]! < outDims[ax]!) break;
      counter[ax] = 0;
    }
  }
  return result;
}

/** Convert a float attribute value (e.g. a pad value) to the storage form of `type`. */
export function storageValue(type: DataType, v: number): unknown {
  if (type === 'string') return '';
  if (isBigIntType(type)) return BigInt(Math.trunc(v));
  if (type === 'float16' || type === 'bfloat16') {
    const t = new Float32Array([v]);
    return type === 'float16' ? f32ToF16Bits(t[0]!) : f32ToBf16Bits(t[0]!);
  }
  if (type === 'bool') return v ? 1 : 0;
  if ((type.startsWith('float8') || type === 'float4e2m1') && v !== 0) throw new Error(`a fill value of ${v} is not supported for ${type}`);
  return v;
}
