// Tensor: the value type of the public API, shaped like onnxruntime-common's Tensor
// (`new Tensor(type, data, dims)`, `.type .data .dims .size`).

import { type DataType, type TensorData, allocData, arrayCtor, inferType, lanes } from './dtype.js';

export type Dims = readonly number[];

export function sizeOf(dims: Dims): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

type DataLike = TensorData | readonly number[] | readonly bigint[] | readonly boolean[];

function toStorage(type: DataType, data: DataLike): TensorData {
  if (type === 'string') {
    if (!Array.isArray(data)) throw new TypeError('string tensor data must be a string[]');
    return data as string[];
  }
  if (Array.isArray(data)) {
    const C = arrayCtor(type);
    const out = new C(data.length);
    if (type === 'int64' || type === 'uint64') {
      for (let i = 0; i < data.length; i++) (out as BigInt64Array)[i] = BigInt(data[i] as unknown as number | bigint);
    } else {
      for (let i = 0; i < data.length; i++) (out as Float32Array)[i] = Number(data[i]);
    }
    return out;
  }
  return data as TensorData;
}

/** A copy of `dims`, checked: non-negative integers. */
function checkedShape(dims: Dims): number[] {
  const shape = [...dims];
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid tensor dim ${d} in [${shape.join(',')}]`);
  }
  return shape;
}

/** Storage values per element (a string is one, a complex number two floats). */
const storageLanes = (type: DataType) => (type === 'string' ? 1 : lanes(type));

export class Tensor {
  readonly type: DataType;
  readonly dims: readonly number[];
  /** The elements; undefined while released (see release()). */
  private stored: TensorData | undefined;
  /** Reads the elements again after release(). */
  private reload: (() => TensorData) | undefined;

  constructor(type: DataType, data: DataLike, dims?: Dims);
  constructor(data: TensorData | readonly boolean[], dims?: Dims);
  constructor(a: DataType | DataLike, b?: DataLike | Dims, c?: Dims) {
    let type: DataType;
    let data: DataLike;
    let dims: Dims | undefined;
    if (typeof a === 'string') {
      type = a;
      data = b as DataLike;
      dims = c;
    } else {
      data = a;
      type = inferType(a as TensorData);
      dims = b as Dims | undefined;
    }
    const storage = toStorage(type, data);
    const count = storage.length / storageLanes(type);
    const shape = checkedShape(dims ?? [count]);
    if (sizeOf(shape) !== count) {
      throw new RangeError(`tensor data has ${count} elements but dims [${shape.join(',')}] need ${sizeOf(shape)}`);
    }
    this.type = type;
    this.stored = storage;
    this.reload = undefined;
    this.dims = Object.freeze(shape);
  }

  /**
   * A tensor whose elements are not in memory yet: `load` reads them on the first access to `data`
   * (a large weight of a model file, read when something needs it). Starts out `released`.
   */
  static deferred(type: DataType, dims: Dims, load: () => TensorData): Tensor {
    const shape = checkedShape(dims);
    // the constructor's fields, in their declared order (one object shape for every tensor)
    const t = Object.create(Tensor.prototype) as Tensor;
    Object.assign(t, { type, dims: Object.freeze(shape), stored: undefined, reload: load });
    return t;
  }

  /** The elements (a released tensor reads them again, once, and keeps them). */
  get data(): TensorData {
    return this.stored ?? this.restore();
  }

  /**
   * Drop the elements from memory; `reload` reads them again on the next access to `data` (it must
   * return the same elements: a weight re-read from its model file). Used for weights that a backend
   * only reads in its own packed copy, so the session does not hold both.
   */
  release(reload: () => TensorData): void {
    this.reload = reload;
    this.stored = undefined;
  }

  /** Whether the elements are released (not in memory until `data` is read). */
  get released(): boolean {
    return this.stored === undefined;
  }

  private restore(): TensorData {
    const d = this.reload!();
    if (d.length !== sizeOf(this.dims) * storageLanes(this.type)) {
      throw new RangeError(`released tensor [${this.dims.join(',')}] reloaded ${d.length} values`);
    }
    this.stored = d;
    this.reload = undefined;
    return d;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.dims);
  }

  get rank(): number {
    return this.dims.length;
  }

  /** A zero-filled tensor. */
  static zeros(type: DataType, dims: Dims): Tensor {
    return new Tensor(type, allocData(type, sizeOf(dims)), dims);
  }

  /** Same data, new dims (no copy). */
  reshape(dims: Dims): Tensor {
    return new Tensor(this.type, this.data, dims);
  }

  toString(): string {
    return `Tensor<${this.type}>[${this.dims.join(',')}]`;
  }
}
