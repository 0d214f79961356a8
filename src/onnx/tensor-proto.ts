// TensorProto <-> Tensor, with strict size checks and safe external data.

import { realpathSync, statSync } from 'node:fs';
import { type ModelFile, type WeightSource, deferredWeight, readRange, withSource } from './weight-source.js';
import { isAbsolute, resolve, sep, normalize } from 'node:path';
import { type DataType, dataTypeFromCode, arrayCtor, lanes, wireBits, ONNX_CODE } from '../ir/dtype.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import { ModelError } from '../errors.js';
import { type PTensor, int64ToNumber, int64ToBigInt } from './proto.js';

/** Largest tensor we accept from a file (elements); guards against absurd declared sizes. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface TensorReadOptions {
  /** Folder of the model file; external data paths resolve inside it. */
  baseDir?: string;
  /** Where the tensor sits, for error messages. */
  where?: string;
  /** The model file and the bytes read from it: raw_data found inside them records its WeightSource. */
  file?: ModelFile;
  /** A large tensor found in its file may be read on first use (graph initializers: see DEFERRED_BYTES). */
  defer?: boolean;
}

const decoder = new TextDecoder();

export function checkedDims(dims: readonly unknown[], where: string): number[] {
  const out = dims.map((d) => int64ToNumber(d as number));
  let n = 1;
  for (const d of out) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ModelError(`${where}: invalid dim ${d} in [${out.join(',')}]`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) throw new ModelError(`${where}: declared size [${out.join(',')}] (${n} elements) exceeds the limit of ${MAX_ELEMENTS}`);
  return out;
}

/** Unpack 4-bit or 2-bit values (low bits first) into one element per byte. */
function unpackSubByte(bytes: Uint8Array, type: DataType, count: number): Uint8Array | Int8Array {
  const bits = wireBits(type);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signed = type === 'int4' || type === 'int2';
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let v = (bytes[(i / perByte) | 0]! >> ((i % perByte) * bits)) & mask;
    if (signed && v & (1 << (bits - 1))) v -= 1 << bits;
    out[i] = v;
  }
  return out;
}

export function packSubByte(data: ArrayLike<number>, type: DataType): Uint8Array {
  const bits = wireBits(type);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(data.length / perByte));
  for (let i = 0; i < data.length; i++) out[(i / perByte) | 0]! |= (data[i]! & mask) << ((i % perByte) * bits);
  return out;
}

/** Elements of `type` from little-endian raw bytes (copied: the result owns its buffer). */
export function fromRaw(raw: Uint8Array, type: DataType, count: number, where: string) {
  const bits = wireBits(type);
  const expected = Math.ceil((count * bits) / 8);
  if (raw.length !== expected) {
    throw new ModelError(`${where}: raw_data has ${raw.length} bytes but ${type}[${count}] needs ${expected}`);
  }
  if (bits < 8) return unpackSubByte(raw, type, count);
  const C = arrayCtor(type);
  const copy = new Uint8Array(expected);
  copy.set(raw);
  return new C(copy.buffer, 0, count * lanes(type));
}

/** Where an external-data tensor's bytes are (the location checked to stay inside the model's folder). */
function externalSource(p: PTensor, opts: TensorReadOptions, where: string): WeightSource {
  const info: Record<string, string> = {};
  for (const e of p.external_data) info[e.key] = e.value;
  const location = info.location;
  if (!location) throw new ModelError(`${where}: external data without a location`);
  if (!opts.baseDir) throw new ModelError(`${where}: external data '${location}' needs the model's folder (load from a path, or pass baseDir)`);
  if (isAbsolute(location) || normalize(location).split(/[\\/]/).includes('..') || location.includes('\0')) {
    throw new ModelError(`${where}: external data location '${location}' escapes the model folder`, { code: 'UNSAFE_PATH' });
  }
  const base = realpathSync(opts.baseDir);
  let file: string;
  try {
    file = realpathSync(resolve(base, location));
  } catch {
    throw new ModelError(`${where}: external data file '${location}' not found next to the model`);
  }
  if (!file.startsWith(base + sep)) {
    throw new ModelError(`${where}: external data location '${location}' resolves outside the model folder`, { code: 'UNSAFE_PATH' });
  }
  const { size, mtimeMs } = statSync(file);
  const offset = info.offset ? Number(info.offset) : 0;
  const length = info.length ? Number(info.length) : size - offset;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ModelError(`${where}: external data range offset=${info.offset} length=${info.length} is outside '${location}' (${size} bytes)`);
  }
  return { path: file, offset, length, size, mtimeMs };
}

/**
 * Initializers of at least this many bytes found in their model file (raw_data of a model loaded from a
 * path, or external data) are read from it on first use, not at load (Tensor.deferred): a large model's
 * weights are then never in memory twice (the file's bytes and the decoded copy) while it loads.
 */
export const DEFERRED_BYTES = 64 * 1024;

/** The tensor whose elements are `source`'s bytes: deferred when large, else read now. */
function fromSource(source: WeightSource, type: DataType, dims: number[], count: number, where: string, defer: boolean, bytes?: Uint8Array): Tensor {
  const bits = wireBits(type);
  const expected = Math.ceil((count * bits) / 8);
  const field = bytes ? 'raw_data' : 'external data';
  if (source.length !== expected) throw new ModelError(`${where}: ${field} has ${source.length} bytes but ${type}[${count}] needs ${expected}`);
  if (defer && bits >= 8 && expected >= DEFERRED_BYTES) return deferredWeight(type, dims, count, source);
  const raw = bytes ?? readRange(source.path, source.offset, source.length, source.size);
  return withSource(new Tensor(type, fromRaw(raw, type, count, where), dims), source);
}

function need(n: number, have: number, field: string, where: string) {
  if (have !== n) throw new ModelError(`${where}: ${field} has ${have} values but the dims need ${n}`);
}

/** Decode a TensorProto message. */
export function tensorFromProto(p: PTensor, opts: TensorReadOptions = {}): Tensor {
  const where = opts.where ?? `tensor '${p.name || '?'}'`;
  let type: DataType;
  try {
    type = dataTypeFromCode(p.data_type);
  } catch {
    throw new ModelError(`${where}: unknown data_type ${p.data_type}`);
  }
  const dims = checkedDims(p.dims ?? [], where);
  const count = sizeOf(dims);
  if (type === 'string') {
    need(count, p.string_data.length, 'string_data', where);
    return new Tensor('string', p.string_data.map((b) => (b && b.length ? decoder.decode(b) : '')), dims);
  }
  if (p.data_location === 1) return fromSource(externalSource(p, opts, where), type, dims, count, where, opts.defer === true);
  if (p.raw_data && p.raw_data.length > 0) {
    const f = opts.file, raw = p.raw_data;
    // protobufjs hands out bytes fields as views of the buffer it decodes: their place in the file
    if (f && raw.buffer === f.bytes.buffer && raw.byteOffset >= f.bytes.byteOffset && raw.byteOffset + raw.length <= f.bytes.byteOffset + f.bytes.length) {
      const source = { path: f.path, offset: raw.byteOffset - f.bytes.byteOffset, length: raw.length, size: f.size, mtimeMs: f.mtimeMs };
      return fromSource(source, type, dims, count, where, opts.defer === true, raw);
    }
    return new Tensor(type, fromRaw(raw, type, count, where), dims);
  }
  const n = count * lanes(type);
  const C = arrayCtor(type);
  switch (type) {
    case 'float32': case 'complex64':
      need(n, p.float_data.length, 'float_data', where);
      return new Tensor(type, Float32Array.from(p.float_data), dims);
    case 'float64': case 'complex128':
      need(n, p.double_data.length, 'double_data', where);
      return new Tensor(type, Float64Array.from(p.double_data), dims);
    case 'int64': {
      need(n, p.int64_data.length, 'int64_data', where);
      const out = new BigInt64Array(n);
      p.int64_data.forEach((v, i) => (out[i] = int64ToBigInt(v)));
      return new Tensor(type, out, dims);
    }
    case 'uint64': case 'uint32': {
      need(n, p.uint64_data.length, 'uint64_data', where);
      if (type === 'uint32') return new Tensor(type, Uint32Array.from(p.uint64_data, (v) => int64ToNumber(v)), dims);
      const out = new BigUint64Array(n);
      p.uint64_data.forEach((v, i) => (out[i] = int64ToBigInt(v, true)));
      return new Tensor(type, out, dims);
    }
    case 'uint4': case 'int4': case 'float4e2m1': case 'uint2': case 'int2': {
      const bytes = Uint8Array.from(p.int32_data);
      return new Tensor(type, fromRaw(bytes, type, count, where), dims);
    }
    default: {
      // int32, int16, int8, uint16, uint8, bool, float16, bfloat16, float8*: one value per int32_data entry.
      need(n, p.int32_data.length, 'int32_data', where);
      const out = new C(n);
      for (let i = 0; i < n; i++) (out as Int32Array)[i] = p.int32_data[i]!;
      return new Tensor(type, out, dims);
    }
  }
}

/** Encode a Tensor as a plain TensorProto object (raw_data for numeric types). */
export function tensorToProto(t: Tensor, name = ''): Record<string, unknown> {
  const base = { name, dims: [...t.dims], data_type: ONNX_CODE[t.type] };
  if (t.type === 'string') return { ...base, string_data: (t.data as string[]).map((s) => Buffer.from(s, 'utf8')) };
  const bits = wireBits(t.type);
  if (bits < 8) return { ...base, raw_data: packSubByte(t.data as Uint8Array, t.type) };
  const d = t.data as Exclude<typeof t.data, string[]>;
  return { ...base, raw_data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) };
}
