// The run side of the memory arena: kernel allocations served from the plan, a fence that keeps
// unplanned views of arena storage from escaping, a pool of free arenas and a small plan cache.

import type { Value } from '../backends/backend.js';
import { type DataType, type NumericArray, allocData, arrayCtor, lanes } from '../ir/dtype.js';
import { Tensor, sizeOf, type Dims } from '../ir/tensor.js';
import type { ArenaPlan, ValueSpec } from './arena.js';

/** One run's arena: the plan and the buffer it lives in (never shared by two runs at once). */
export interface RunArena {
  plan: ArenaPlan;
  buffer: ArrayBuffer;
  /** Allocations served from the arena and outputs copied out by the fence (for tests and reports). */
  stats: { served: number; fresh: number; fenced: number };
}

/** Storage for `name`: its planned arena region when type and size match, else fresh zeroed storage. */
export function arenaAlloc(arena: RunArena | undefined, name: string | undefined, type: DataType, dims: Dims): NumericArray {
  const n = sizeOf(dims) * (type === 'string' ? 1 : lanes(type));
  if (arena && name) {
    const p = arena.plan.placements.get(name);
    if (p && p.owns && p.type === type) {
      const C = arrayCtor(type);
      if (n * C.BYTES_PER_ELEMENT === p.bytes) {
        arena.stats.served++;
        return new C(arena.buffer, p.offset, n);
      }
    }
    arena.stats.fresh++;
  }
  return allocData(type, n) as NumericArray;
}

/** %TypedArray%.prototype.buffer: one getter for every typed array type (a `.buffer` read is megamorphic). */
export const bufferOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), 'buffer')!.get as (this: ArrayBufferView) => ArrayBufferLike;

/**
 * An output may live in the arena only inside its own planned region. Anything else pointing into
 * the arena (a view some kernel returned of an input: Slice, Expand or Transpose no-ops, a Loop
 * passing a value through) is copied out, since that region is reused once its owner dies.
 */
export function fence(arena: RunArena, name: string, v: Value): Value {
  if (v instanceof Tensor) {
    const d = v.data;
    if (Array.isArray(d) || bufferOf.call(d) !== arena.buffer) return v;
    const p = arena.plan.placements.get(name);
    if (p && d.byteOffset >= p.offset && d.byteOffset + d.byteLength <= p.offset + p.bytes) return v;
    arena.stats.fenced++;
    return new Tensor(v.type, d.slice(), v.dims);
  }
  if (Array.isArray(v)) {
    let changed = false;
    const out = v.map((x) => {
      const y = fence(arena, '', x);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : v;
  }
  return v;
}

/** Free arena buffers kept between runs (each run takes one for itself). */
export class ArenaPool {
  private readonly free: ArrayBuffer[] = [];
  constructor(private readonly keep = 2) {}

  acquire(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    return new ArrayBuffer(Math.max(bytes, 64));
  }

  release(buf: ArrayBuffer): void {
    this.free.push(buf);
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    if (this.free.length > this.keep) this.free.length = this.keep;
  }

  clear(): void {
    this.free.length = 0;
  }

  /** Bytes held by free buffers. */
  get idleBytes(): number {
    return this.free.reduce((s, b) => s + b.byteLength, 0);
  }
}

/** Least-recently-used cache of plans by input shapes. */
export class PlanCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly max = 4) {}

  peek(key: string): T | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }

  set(key: string, v: T): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  get(key: string, make: () => T): T {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const v = make();
    this.set(key, v);
    return v;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

/** Records each value's type and storage bytes as a run produces it (the sizes a plan is made from). */
export function observe(sizes: Map<string, ValueSpec>, name: string, v: Value): void {
  if (!(v instanceof Tensor) || v.type === 'string') return;
  const d = v.data as NumericArray;
  sizes.set(name, { type: v.type, bytes: d.byteLength });
}
