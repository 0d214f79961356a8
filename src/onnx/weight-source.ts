// Where a weight's bytes sit in its model file (raw_data inside the .onnx file, or an external data
// file), recorded at load. A backend that reads a weight only through its own packed copy releases
// the decoded elements (Tensor.release) and the session no longer holds two copies of every weight;
// anything that reads the tensor later gets the elements read back from the file, checked unchanged.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { TensorData } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { ModelError } from '../errors.js';
import { fromRaw } from './tensor-proto.js';

/** A byte range of a file, and the file's size and modification time when it was read. */
export interface WeightSource { path: string; offset: number; length: number; size: number; mtimeMs: number }

/** A model file being decoded: its path, the bytes read from it, its size and modification time. */
export interface ModelFile { path: string; bytes: Uint8Array; size: number; mtimeMs: number }

const sources = new WeakMap<Tensor, WeightSource>();

export function withSource(t: Tensor, s: WeightSource): Tensor {
  sources.set(t, s);
  return t;
}

/** Bytes [offset, offset + length) of `file` (`size`: the file's, for the error when it ends early). */
export function readRange(file: string, offset: number, length: number, size: number): Uint8Array {
  const buf = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n <= 0) throw new ModelError(`'${file}' ended at ${offset + done} of ${size} bytes while reading weights`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

function readBack(t: Tensor, s: WeightSource): TensorData {
  let st;
  try {
    st = statSync(s.path);
  } catch (e) {
    throw new ModelError(`weights released after packing can no longer be read: '${s.path}' is gone (${(e as Error).message})`, { cause: e });
  }
  if (st.size !== s.size || st.mtimeMs !== s.mtimeMs) {
    throw new ModelError(`weights released after packing can no longer be read: '${s.path}' changed since the model was loaded`);
  }
  return fromRaw(readRange(s.path, s.offset, s.length, s.size), t.type, t.size, `weights read back from '${s.path}'`);
}

/**
 * Release `t`'s elements if they can be read back from its model file (numeric, whole bytes per value);
 * returns whether it did.
 */
export function releaseToFile(t: Tensor): boolean {
  const s = sources.get(t);
  if (!s || t.released || t.type === 'string') return false;
  t.release(() => readBack(t, s));
  return true;
}
