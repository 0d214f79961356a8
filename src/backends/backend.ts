// The one backend contract. The engine talks to backends only through this file.

import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { DataType, NumericArray } from '../ir/dtype.js';
import type { Attrs } from './attrs.js';

/**
 * A runtime value: a tensor, a sequence of tensors (ONNX Sequence), or `null` for an empty Optional.
 * A non-empty Optional is just its content.
 */
export type Value = Tensor | Value[] | null;

/** What a kernel sees besides its inputs. */
export interface KernelContext {
  readonly node: Node;
  readonly attrs: Attrs;
  /** Opset version the node binds to (of its own domain). */
  readonly opset: number;
  /** Number of outputs the node asks for (trailing optional outputs may be omitted). */
  readonly outputCount: number;
  /** Which outputs are wanted (name non-empty). */
  readonly outputWanted: readonly boolean[];
  /**
   * Run one of the node's subgraphs (If branches, Loop/Scan bodies) with values bound to its
   * inputs in order; names it reads from enclosing scopes resolve automatically.
   */
  runSubgraph(graph: Graph, inputs: readonly Value[]): Promise<Value[]>;
  /**
   * Storage for output `index` (`type`, `dims`; the typed array `Tensor` stores for that type): a view
   * of the run's memory arena when the engine's memory plan placed that output there with this type
   * and size, else fresh zeroed storage. Arena storage is not zeroed: the kernel must write every
   * element. For the engine's in-place elementwise ops (engine/arena.ts IN_PLACE_OPS) it may be the
   * storage of a same-sized input, so those kernels read element i before writing element i.
   * Absent when the engine runs without an arena (then allocate as usual).
   */
  alloc?(index: number, type: DataType, dims: readonly number[]): NumericArray;
}

export type KernelResult = Value[] | Promise<Value[]>;

/** Inputs are positional; a missing optional input (empty name) is `undefined`. */
export type KernelFn = (inputs: readonly (Value | undefined)[], ctx: KernelContext) => KernelResult;

export interface KernelConfig {
  opType: string;
  /** '' is ai.onnx. */
  domain?: string;
  /** Lowest opset this implementation serves (default 1). */
  sinceVersion?: number;
  kernel: KernelFn;
}

/**
 * Numeric precision of a session (SessionOptions.precision): 'fp32', or 'bf16': weights stored as
 * bfloat16 (half the bytes), activations and accumulation in fp32. Only backends with
 * `withPrecision` offer bf16.
 */
export type Precision = 'fp32' | 'bf16';

export interface Backend {
  readonly name: string;
  /** This backend computing at `precision` (a variant sharing its kernels' code), or undefined where it has no such mode. */
  withPrecision?(precision: Precision): Backend | undefined;
  /** Find the kernel for an op at an opset version, or undefined. */
  getKernel(opType: string, domain: string, opset: number): KernelFn | undefined;
  /**
   * Optional work at session creation, given the planned steps of the main graph in order with
   * their constant inputs (initializers; undefined elsewhere): e.g. packing weights once. Returns the
   * weights the backend reads only through copies of its own (the session need not hold them).
   */
  prepare?(steps: readonly PrepareStep[]): Promise<ReadonlySet<Tensor> | void>;
}

/** A planned node as Backend.prepare sees it. */
export interface PrepareStep {
  node: Node;
  attrs: Attrs;
  opset: number;
  /** Per input: the initializer tensor when the input is a constant, else undefined. */
  constants: readonly (Tensor | undefined)[];
}
