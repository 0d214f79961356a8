// Numpy-style multidirectional broadcasting.

import type { Dims } from '../../../ir/tensor.js';

export function broadcastShapes(...shapes: Dims[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot broadcast`);
      }
    }
  }
  return out;
}

/** Strides of `inDims` seen through `outDims` (0 where broadcast). */
export function broadcastStrides(inDims: Dims, outDims: Dims): number[] {
  const rank = outDims.length;
  const st = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = inDims.length - 1; i >= 0; i--) {
    const o = rank - inDims.length + i;
    st[o] = inDims[i] === 1 ? 0 : acc;
    acc *= inDims[i]!;
  }
  return st;
}

/**
 * out[i] = the offset of the i-th element (row-major) of a walk over `dims` with element `strides`
 * (0 where an axis broadcasts): the odometer every broadcast and strided gather shares. Fills
 * prod(dims) entries.
 */
export function walkOffsets(dims: readonly number[], strides: readonly number[], out: { [i: number]: number }): void {
  let n = 1;
  for (const d of dims) n *= d;
  const rank = dims.length;
  const cnt = new Array<number>(rank).fill(0);
  let cur = 0;
  for (let i = 0; i < n; i++) {
    out[i] = cur;
    for (let ax = rank - 1; ax >= 0; ax--) {
      cnt[ax]!++;
      cur += strides[ax]!;
      if (cnt[ax]! < dims[ax]!) break;
      cur -= strides[ax]! * dims[ax]!;
      cnt[ax] = 0;
    }
  }
}

/**
 * For each output element (row-major), the index into each input. Returns one Int32Array per input
 * (or null where the input has the output's shape, meaning index === position).
 */
export function broadcastIndices(outDims: Dims, inputs: Dims[]): (Int32Array | null)[] {
  let n = 1;
  for (const d of outDims) n *= d;
  const rank = outDims.length;
  return inputs.map((dims) => {
    if (dims.length === rank && dims.every((d, i) => d === outDims[i])) return null;
    const idx = new Int32Array(n);
    walkOffsets(outDims, broadcastStrides(dims, outDims), idx);
    return idx;
  });
}
