// Where a weight's bytes sit in its model file (raw_data inside the .onnx file, or an external data
// file), recorded at load. Large weights are not decoded at load at all (Tensor.deferred): each is read
// from the file when something first needs it, so loading never holds the file's bytes and a decoded
// copy of every weight at once. A backend that reads a weight only through its own packed copy
// releases the decoded elements again (Tensor.release) and the session holds one copy, not two.
// Every read checks that the file is unchanged since the model was loaded.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { DataType, TensorData } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
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

function readBack(type: DataType, count: number, s: WeightSource): TensorData {
  let st;
  try {
    st = statSync(s.path);
  } catch (e) {
    throw new ModelError(`weights not held in memory can no longer be read: '${s.path}' is gone (${(e as Error).message})`, { cause: e });
  }
  if (st.size !== s.size || st.mtimeMs !== s.mtimeMs) {
    throw new ModelError(`weights not held in memory can no longer be read: '${s.path}' changed since the model was loaded`);
  }
  return fromRaw(readRange(s.path, s.offset, s.length, s.size), type, count, `weights read from '${s.path}'`);
}

/**
 * A weight of `type` and `dims` whose `s.length` bytes (checked to be its size by the caller) are read
 * from its file on first use.
 */
export function deferredWeight(type: DataType, dims: readonly number[], count: number, s: WeightSource): Tensor {
  return withSource(Tensor.deferred(type, dims, () => readBack(type, count, s)), s);
}

/**
 * Release `t`'s elements if they can be read back from its model file (numeric, whole bytes per value;
 * one not read yet stays so); returns whether it can.
 */
export function releaseToFile(t: Tensor): boolean {
  const s = sources.get(t);
  if (!s || t.type === 'string') return false;
  if (!t.released) t.release(() => readBack(t.type, t.size, s));
  return true;
}

/**
 * Read in every weight of `tensors` that is still only in its file, except those in `skip` (held only
 * as a backend's packed copy): what a session runs from is then in memory (one weight at a time: loading
 * never peaks at the file plus every weight), as onnxruntime holds it, whatever happens to the file.
 */
export function readDeferred(tensors: Iterable<Tensor>, skip?: ReadonlySet<Tensor>): void {
  for (const t of tensors) if (t.released && !skip?.has(t)) void t.data;
}
