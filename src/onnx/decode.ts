// ModelProto bytes -> IR Model. Every malformed input becomes a ModelError naming where it is.

import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { dataTypeFromCode } from '../ir/dtype.js';
import type { AttrValue, Dim, FunctionDef, Graph, Model, Node, SparseTensor, TypeInfo, ValueInfo } from '../ir/graph.js';
import { normalizeDomain } from '../ir/graph.js';
import { ModelError } from '../errors.js';
import { ATTR_TYPE, ModelProto, type PTensor, int64ToNumber } from './proto.js';
import { type TensorReadOptions, checkedDims, tensorFromProto } from './tensor-proto.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type P = any;

const td = new TextDecoder();
const str = (b: Uint8Array | number[] | undefined) => (b && b.length ? td.decode(b instanceof Uint8Array ? b : Uint8Array.from(b)) : '');

/** Largest model file we parse into memory (protobuf itself is limited to 2 GiB). */
const MAX_MODEL_BYTES = 2 ** 31 - 1;

export function decodeModel(bytes: Uint8Array, opts: TensorReadOptions = {}): Model {
  if (!(bytes instanceof Uint8Array)) throw new ModelError('model bytes must be a Uint8Array');
  if (bytes.length === 0) throw new ModelError('model is empty (0 bytes)');
  if (bytes.length > MAX_MODEL_BYTES) throw new ModelError(`model is ${bytes.length} bytes; ONNX protobuf is limited to 2 GiB (use external data)`);
  let m: P;
  try {
    m = ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`not a valid ONNX model: ${(e as Error).message}`, { cause: e });
  }
  if (!m.graph) throw new ModelError('not a valid ONNX model: ModelProto has no graph');
  const opsets = new Map<string, number>();
  for (const o of m.opset_import ?? []) opsets.set(normalizeDomain(o.domain), int64ToNumber(o.version));
  if (!opsets.has('') && int64ToNumber(m.ir_version) < 3) opsets.set('', 1);
  const metadata: Record<string, string> = {};
  for (const e of m.metadata_props ?? []) metadata[e.key] = e.value;
  return {
    irVersion: int64ToNumber(m.ir_version),
    opsets,
    producerName: m.producer_name || undefined,
    producerVersion: m.producer_version || undefined,
    domain: m.domain || undefined,
    modelVersion: int64ToNumber(m.model_version) || undefined,
    doc: m.doc_string || undefined,
    graph: decodeGraph(m.graph, opts, 'graph'),
    functions: (m.functions ?? []).map((f: P) => decodeFunction(f, opts)),
    metadata,
  };
}

/** Load a model file; external data resolves next to it. */
export function loadModelFile(path: string): Model {
  let size: number, mtimeMs: number;
  try {
    ({ size, mtimeMs } = statSync(path));
  } catch (e) {
    throw new ModelError(`cannot read model '${path}': ${(e as Error).message}`, { cause: e });
  }
  if (size > MAX_MODEL_BYTES) throw new ModelError(`model '${path}' is ${size} bytes; ONNX protobuf is limited to 2 GiB`);
  const bytes = readFileSync(path);
  try {
    return decodeModel(bytes, { baseDir: dirname(path), file: { path: resolve(path), bytes, size, mtimeMs } });
  } catch (e) {
    if (e instanceof ModelError) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

export function decodeGraph(g: P, opts: TensorReadOptions, where: string): Graph {
  const name = g.name || where;
  const initializers = new Map();
  for (const t of g.initializer ?? []) {
    initializers.set(t.name, tensorFromProto(t as PTensor, { ...opts, where: `${name}: initializer '${t.name}'`, defer: true }));
  }
  let sparseInitializers: Map<string, SparseTensor> | undefined;
  if (g.sparse_initializer?.length) {
    sparseInitializers = new Map();
    for (const s of g.sparse_initializer) {
      const sp = decodeSparse(s, opts, `${name}: sparse initializer`);
      sparseInitializers.set(s.values?.name ?? '', sp);
    }
  }
  return {
    name,
    nodes: (g.node ?? []).map((n: P, i: number) => decodeNode(n, opts, `${name}: node ${i}`)),
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
    initializers,
    sparseInitializers,
    valueInfo: (g.value_info ?? []).map(decodeValueInfo),
    doc: g.doc_string || undefined,
  };
}

function decodeSparse(s: P, opts: TensorReadOptions, where: string): SparseTensor {
  if (!s.values || !s.indices) throw new ModelError(`${where}: sparse tensor without values or indices`);
  return {
    values: tensorFromProto(s.values, { ...opts, where: `${where} values` }),
    indices: tensorFromProto(s.indices, { ...opts, where: `${where} indices` }),
    dims: checkedDims(s.dims ?? [], where),
  };
}

function decodeNode(n: P, opts: TensorReadOptions, where: string): Node {
  const name = n.name || '';
  const w = `${where} (${n.op_type || '?'} '${name}')`;
  if (!n.op_type) throw new ModelError(`${w}: node has no op_type`);
  const attrs: Record<string, AttrValue> = {};
  for (const a of n.attribute ?? []) attrs[a.name] = decodeAttr(a, opts, `${w} attribute '${a.name}'`);
  return {
    name,
    opType: n.op_type,
    domain: normalizeDomain(n.domain),
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attrs,
    doc: n.doc_string || undefined,
  };
}

function decodeAttr(a: P, opts: TensorReadOptions, where: string): AttrValue {
  if (a.ref_attr_name) return { type: 'ref', ref: a.ref_attr_name };
  let type: number = a.type ?? 0;
  if (!type) {
    // IR < 2: infer the type from the field that is set.
    if (a.graphs?.length) type = ATTR_TYPE.GRAPHS;
    else if (a.tensors?.length) type = ATTR_TYPE.TENSORS;
    else if (a.strings?.length) type = ATTR_TYPE.STRINGS;
    else if (a.ints?.length) type = ATTR_TYPE.INTS;
    else if (a.floats?.length) type = ATTR_TYPE.FLOATS;
    else if (a.g) type = ATTR_TYPE.GRAPH;
    else if (a.t) type = ATTR_TYPE.TENSOR;
    else if (a.s?.length) type = ATTR_TYPE.STRING;
    else if (a.i != null && int64ToNumber(a.i) !== 0) type = ATTR_TYPE.INT;
    else if (a.f) type = ATTR_TYPE.FLOAT;
    else type = ATTR_TYPE.INT;
  }
  switch (type) {
    case ATTR_TYPE.FLOAT: return { type: 'float', value: a.f ?? 0 };
    case ATTR_TYPE.INT: return { type: 'int', value: int64ToNumber(a.i) };
    case ATTR_TYPE.STRING: return { type: 'string', value: str(a.s) };
    case ATTR_TYPE.TENSOR:
      if (!a.t) throw new ModelError(`${where}: TENSOR attribute without a tensor`);
      return { type: 'tensor', value: tensorFromProto(a.t, { ...opts, where }) };
    case ATTR_TYPE.GRAPH:
      if (!a.g) throw new ModelError(`${where}: GRAPH attribute without a graph`);
      return { type: 'graph', value: decodeGraph(a.g, opts, `${where} graph`) };
    case ATTR_TYPE.SPARSE_TENSOR: return { type: 'sparse_tensor', value: decodeSparse(a.sparse_tensor ?? {}, opts, where) };
    case ATTR_TYPE.TYPE_PROTO: return { type: 'type_proto', value: decodeType(a.tp) ?? { kind: 'tensor', elemType: 'float32' } };
    case ATTR_TYPE.FLOATS: return { type: 'floats', value: [...(a.floats ?? [])] };
    case ATTR_TYPE.INTS: return { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
    case ATTR_TYPE.STRINGS: return { type: 'strings', value: (a.strings ?? []).map(str) };
    case ATTR_TYPE.TENSORS: return { type: 'tensors', value: (a.tensors ?? []).map((t: P) => tensorFromProto(t, { ...opts, where })) };
    case ATTR_TYPE.GRAPHS: return { type: 'graphs', value: (a.graphs ?? []).map((g: P, i: number) => decodeGraph(g, opts, `${where} graph ${i}`)) };
    case ATTR_TYPE.SPARSE_TENSORS: return { type: 'sparse_tensors', value: (a.sparse_tensors ?? []).map((s: P) => decodeSparse(s, opts, where)) };
    case ATTR_TYPE.TYPE_PROTOS: return { type: 'type_protos', value: (a.type_protos ?? []).map((t: P) => decodeType(t)!) };
    default: throw new ModelError(`${where}: unknown attribute type ${type}`);
  }
}

export function decodeValueInfo(v: P): ValueInfo {
  return { name: v.name ?? '', type: decodeType(v.type), doc: v.doc_string || undefined };
}

function decodeShape(s: P): Dim[] | undefined {
  if (!s) return undefined;
  return (s.dim ?? []).map((d: P): Dim => {
    if (d.dim_param) return d.dim_param;
    if (d.dim_value != null && d.value === 'dim_value') return int64ToNumber(d.dim_value);
    if (d.dim_value != null && int64ToNumber(d.dim_value) !== 0) return int64ToNumber(d.dim_value);
    return d.value === 'dim_value' ? 0 : null;
  });
}

function elem(code: number) {
  try {
    return dataTypeFromCode(code);
  } catch {
    throw new ModelError(`unknown element type ${code}`);
  }
}

export function decodeType(t: P): TypeInfo | undefined {
  if (!t) return undefined;
  if (t.tensor_type) return { kind: 'tensor', elemType: elem(t.tensor_type.elem_type), shape: decodeShape(t.tensor_type.shape) };
  if (t.sparse_tensor_type) return { kind: 'sparse_tensor', elemType: elem(t.sparse_tensor_type.elem_type), shape: decodeShape(t.sparse_tensor_type.shape) };
  if (t.sequence_type) return { kind: 'sequence', elem: decodeType(t.sequence_type.elem_type) ?? { kind: 'tensor', elemType: 'float32' } };
  if (t.optional_type) return { kind: 'optional', elem: decodeType(t.optional_type.elem_type) ?? { kind: 'tensor', elemType: 'float32' } };
  if (t.map_type) return { kind: 'map', keyType: elem(t.map_type.key_type), value: decodeType(t.map_type.value_type)! };
  return undefined;
}

function decodeFunction(f: P, opts: TensorReadOptions): FunctionDef {
  const where = `function '${f.name}'`;
  const attributeDefaults: Record<string, AttrValue> = {};
  for (const a of f.attribute_proto ?? []) attributeDefaults[a.name] = decodeAttr(a, opts, `${where} attribute '${a.name}'`);
  const opsets = new Map<string, number>();
  for (const o of f.opset_import ?? []) opsets.set(normalizeDomain(o.domain), int64ToNumber(o.version));
  return {
    name: f.name,
    domain: normalizeDomain(f.domain),
    overload: f.overload || undefined,
    inputs: [...(f.input ?? [])],
    outputs: [...(f.output ?? [])],
    attributes: [...(f.attribute ?? []), ...Object.keys(attributeDefaults)],
    attributeDefaults,
    nodes: (f.node ?? []).map((n: P, i: number) => decodeNode(n, opts, `${where}: node ${i}`)),
    opsets,
    valueInfo: (f.value_info ?? []).map(decodeValueInfo),
    doc: f.doc_string || undefined,
  };
}
