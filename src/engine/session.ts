// InferenceSession: the onnxruntime-common shaped entry point to the engine.

import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Precision, PrepareStep, Value } from '../backends/backend.js';
import { resolveBackend } from '../backends/registry.js';
import '../backends/cpu/index.js';
import '../backends/ort/index.js';
import '../backends/native/index.js';
import { getSessionBackend, type DelegateSession } from '../backends/session-backends.js';
import type { Dim, Graph, Model, TypeInfo, ValueInfo } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { InputError, OnnxflowError } from '../errors.js';
import { decodeModel } from '../onnx/decode.js';
import { readDeferred } from '../onnx/weight-source.js';
import { Executor, type RunHooks } from './executor.js';
import { functionMap } from './inline.js';
import { buildPlan } from './plan.js';
import { optimizeModel, parseLevel, type OptimizationLevel } from '../optimize/index.js';
import { encodeModel } from '../onnx/encode.js';
import { writeFile } from 'node:fs/promises';
import { type ArenaPlan, type ValueSpec, planArena } from './arena.js';
import { ArenaPool, PlanCache, type RunArena } from './arena-run.js';
import { type ShapeRun, ShapeValues } from './shape-values.js';
import { type InputShapes, inputShapesFromDims, planModelArena, toArenaNodes } from './memory-plan.js';

export interface SessionOptions {
  /** Backend name: 'cpu' (default) or any registered backend. */
  backend?: string;
  /** Alias accepted for onnxruntime compatibility: the first entry is used. */
  executionProviders?: (string | { name: string })[];
  /** Folder for external data when creating from bytes. */
  baseDir?: string;
  hooks?: RunHooks;
  /** Graph optimizations before planning (onnxruntime's names; default 'all'). See docs/optimizer.md. */
  graphOptimizationLevel?: OptimizationLevel;
  /** Save the optimized model here (an .onnx file; at level 'basic' it uses standard ops only). */
  optimizedModelFilePath?: string;
  /**
   * Plan intermediate tensors into one reused buffer per run (liveness-based, in-place elementwise);
   * default true. onnxruntime's name for the same switch.
   */
  enableCpuMemArena?: boolean;
  /**
   * Numeric precision: 'fp32' (default), or 'bf16' on the native backend: MatMul / Gemm weights packed
   * as bfloat16 (half the weight memory and bandwidth: faster token-by-token decoding), activations and
   * accumulation in fp32. Other backends reject 'bf16'. See docs/precision.md.
   */
  precision?: Precision;
}

/**
 * Activation memory of one run at given input dims (see `InferenceSession.memoryReport`): the arena
 * plan's figures (engine/arena.ts ArenaPlan), its size as `arenaBytes`, and the weights held.
 */
export interface MemoryReport extends Pick<ArenaPlan, 'naiveBytes' | 'peakLiveBytes' | 'buffers' | 'aliases' | 'inPlace' | 'unplanned'> {
  /** Bytes of the run's arena: the planned peak activation memory. */
  arenaBytes: number;
  /**
   * Initializer bytes the running graph holds (subgraphs included, each storage counted once; weights
   * released after the native backend packed them are not held), and how many of them the loaded
   * model shares (held once).
   */
  weightBytes: number;
  weightBytesShared: number;
}

export interface ArenaStats {
  runs: number;
  /** Kernel allocations served from the arena, allocated fresh, outputs copied out of it by the fence. */
  served: number;
  fresh: number;
  fenced: number;
}

export interface ValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: Dim[];
  info?: TypeInfo;
}

export type Feeds = Record<string, Value>;
export type Results = Record<string, Value>;

function describe(t: TypeInfo | undefined): string {
  if (!t) return 'any';
  switch (t.kind) {
    case 'tensor': case 'sparse_tensor': return `${t.elemType}[${t.shape ? t.shape.map((d) => d ?? '?').join(',') : '*'}]`;
    case 'sequence': return `sequence<${describe(t.elem)}>`;
    case 'optional': return `optional<${describe(t.elem)}>`;
    case 'map': return `map<${t.keyType},${describe(t.value)}>`;
  }
}

function metadata(v: ValueInfo): ValueMetadata {
  const t = v.type;
  const isTensor = t?.kind === 'tensor';
  return { name: v.name, isTensor, type: isTensor ? t.elemType : undefined, shape: isTensor ? t.shape : undefined, info: t };
}

/**
 * What Backend.prepare sees: every planned step of `graph` with its constant inputs, then, recursively,
 * the steps of its If / Loop / Scan bodies, whose constants include the enclosing graphs' initializers
 * they read (a merged decoder's weights live in the main graph and are read inside If branches). Weights
 * a backend packs here are packed once, before the first run, so every run reads them the same way.
 */
function prepareSteps(executor: Executor, graph: Graph, isSubgraph: boolean, outer: ReadonlyMap<string, Tensor>): PrepareStep[] {
  const plan = executor.plan(graph, isSubgraph);
  const consts = new Map(outer);
  for (const i of graph.inputs) if (!plan.initializers.has(i.name)) consts.delete(i.name);  // a body's inputs shadow
  for (const st of plan.steps) for (const o of st.node.outputs) consts.delete(o);
  for (const [k, t] of plan.initializers) consts.set(k, t);
  const out: PrepareStep[] = [];
  for (const st of plan.steps) {
    out.push({ node: st.node, attrs: st.attrs, opset: st.opset, constants: st.node.inputs.map((n) => (n ? consts.get(n) : undefined)) });
    for (const a of Object.values(st.node.attrs)) {
      const bodies = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
      for (const body of bodies) {
        try {
          out.push(...prepareSteps(executor, body, true, consts));
        } catch {
          // a body that cannot be planned fails when it runs, as before; nothing to prepare in it
        }
      }
    }
  }
  return out;
}

export class InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  private released = false;
  /** Per input shapes: the arena plan (null: nothing worth placing), or the sizes one run observed (planned on the next). */
  private readonly arenaPlans = new PlanCache<ArenaPlan | null | Map<string, ValueSpec>>(4);
  private readonly arenaPool = new ArenaPool(2);
  /** Counters over this session's arena runs. */
  readonly arenaStats: ArenaStats = { runs: 0, served: 0, fresh: 0, fenced: 0 };
  private useArena = true;
  /** Per input shapes: the shape-derived values of the first run with them (engine/shape-values.ts). */
  private readonly shapeValues = new PlanCache<ShapeValues>(4);
  private replayShapes = true;
  private inputsByName?: Map<string, ValueInfo>;
  /** Every graph input (initializer-backed ones too, which a feed may override), in order: the cache key's order. */
  private keyNames?: string[];

  /**
   * `model` is the model as loaded; `optimizedModel` is what runs (the graph optimizer's output at
   * `graphOptimizationLevel`, or `model` itself).
   */
  private constructor(readonly model: Model, private readonly executor: Executor | undefined, readonly backendName: string, private readonly delegate?: DelegateSession, readonly optimizedModel: Model = model) {
    const inits = model.graph.initializers;
    const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
    this.inputNames = inputs.map((i) => i.name);
    this.outputNames = model.graph.outputs.map((o) => o.name);
    this.inputMetadata = inputs.map(metadata);
    this.outputMetadata = model.graph.outputs.map(metadata);
  }

  static async create(source: string | Uint8Array | ArrayBuffer | Model, options: SessionOptions = {}): Promise<InferenceSession> {
    let model: Model;
    let path: string | undefined;
    let bytes: Uint8Array | undefined;
    if (typeof source === 'string') {
      path = resolve(source);
      try {
        bytes = await readFile(path);
      } catch (e) {
        throw new OnnxflowError('INVALID_ARGUMENT', `cannot read model '${source}': ${(e as Error).message}`, { cause: e });
      }
      try {
        const st = await stat(path);
        model = decodeModel(bytes, { baseDir: dirname(path), file: { path, bytes, size: st.size, mtimeMs: st.mtimeMs } });
      } catch (e) {
        if (e instanceof Error) e.message = `${source}: ${e.message}`;
        throw e;
      }
    } else if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
      model = decodeModel(bytes, { baseDir: options.baseDir });
    } else {
      model = source;
    }
    const ep = options.executionProviders?.[0];
    const backendName = options.backend ?? (typeof ep === 'string' ? ep : ep?.name) ?? 'cpu';
    const precision = options.precision ?? 'fp32';
    if (precision !== 'fp32' && precision !== 'bf16') throw new InputError(`precision must be 'fp32' or 'bf16', got ${JSON.stringify(precision)}`);
    const unavailable = () => new InputError(`precision '${precision}' is not available on backend '${backendName}' (it computes in fp32); use backend 'native'`);
    const delegated = getSessionBackend(backendName);
    if (delegated && precision !== 'fp32') throw unavailable();
    if (delegated) {
      const { backend: _b, executionProviders: _e, hooks: _h, baseDir: _d, precision: _p, ...rest } = options;
      return new InferenceSession(model, undefined, backendName, await delegated.create({ path, bytes, model }, rest));
    }
    bytes = undefined;  // the file's bytes are decoded: let them go before weights are packed
    const base = await resolveBackend(backendName);
    const backend = precision === 'fp32' ? base : base.withPrecision?.(precision);
    if (!backend) throw unavailable();
    const level = parseLevel(options.graphOptimizationLevel ?? 'all');
    // Unknown ops and invalid graphs (cycles, values produced twice) fail at create, named as the
    // loaded model has them: the loaded graph is checked (a throwaway plan, ~1% of the optimizer's
    // time on the sd-tiny UNet) before the optimizer could fold a problem away; only the graph that
    // runs is planned for the executor.
    if (level !== 'disabled') buildPlan(model.graph, { backend, opsets: model.opsets, functions: functionMap(model.functions) }, false);
    const optimized = level !== 'disabled' ? optimizeModel(model, { level, backend }).model : model;
    const executor = new Executor({ backend, opsets: optimized.opsets, functions: functionMap(optimized.functions) }, options.hooks);
    const plan = executor.plan(optimized.graph, false);
    const packedOnly = backend.prepare ? await backend.prepare(prepareSteps(executor, optimized.graph, false, new Map())) : undefined;
    // Large weights are read from the model file on first use (onnx/weight-source.ts); what the session
    // runs from is read in now, one weight at a time, except what the backend holds only packed.
    readDeferred(initializersOf(optimized.graph), packedOnly || undefined);
    if (options.optimizedModelFilePath) await writeFile(options.optimizedModelFilePath, encodeModel(optimized));
    const session = new InferenceSession(model, executor, backendName, undefined, optimized);
    session.useArena = options.enableCpuMemArena !== false;
    session.replayShapes = level !== 'disabled';
    return session;
  }

  /** The arena plan for these input shapes from shape inference (for reports; runs plan from what they observe). */
  private inferredPlan(shapes: InputShapes): ArenaPlan | null {
    try {
      const steps = this.executor!.plan(this.optimizedModel.graph, false).steps;
      return planModelArena(this.optimizedModel, steps.map((st) => st.node), shapes);
    } catch {
      return null;
    }
  }

  /** An arena plan from the sizes a run produced (null when nothing is worth placing). */
  private observedPlan(sizes: Map<string, ValueSpec>): ArenaPlan | null {
    const g = this.optimizedModel.graph;
    const steps = this.executor!.plan(g, false).steps;
    const external = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys(), ...(g.sparseInitializers?.keys() ?? [])]);
    const plan = planArena(toArenaNodes(steps.map((st) => st.node)), { external, outputs: new Set(g.outputs.map((o) => o.name)), spec: (n) => sizes.get(n) });
    return plan.size > 0 ? plan : null;
  }

  /**
   * Planned activation memory of one run with the inputs' symbolic dims bound from `dims`
   * (unbound ones count as 1), and the weights the session holds.
   */
  memoryReport(dims: Record<string, number> = {}): MemoryReport {
    const plan = this.executor ? this.inferredPlan(inputShapesFromDims(this.optimizedModel.graph, dims)) : null;
    const loaded = weightData(this.model.graph);
    let weightBytes = 0;
    let weightBytesShared = 0;
    for (const d of weightData(this.optimizedModel.graph)) {
      const b = Array.isArray(d) ? 0 : (d as ArrayBufferView).byteLength;
      weightBytes += b;
      if (loaded.has(d)) weightBytesShared += b;
    }
    return {
      arenaBytes: plan?.size ?? 0, naiveBytes: plan?.naiveBytes ?? 0, peakLiveBytes: plan?.peakLiveBytes ?? 0,
      buffers: plan?.buffers ?? 0, aliases: plan?.aliases ?? 0, inPlace: plan?.inPlace ?? 0, unplanned: plan?.unplanned ?? 0,
      weightBytes, weightBytesShared,
    };
  }

  /** Run the model. `fetches` selects outputs by name (default: all). */
  async run(feeds: Feeds, fetches?: readonly string[]): Promise<Results> {
    if (this.released) throw new OnnxflowError('INVALID_ARGUMENT', 'session was released');
    const graph = this.optimizedModel.graph;
    const bound = this.checkFeeds(feeds);
    const names = fetches ?? this.outputNames;
    for (const n of names) {
      if (!this.outputNames.includes(n)) throw new InputError(`unknown output '${n}'; outputs are: ${this.outputNames.join(', ')}`);
    }
    if (this.delegate) return this.delegate.run(Object.fromEntries(bound), names);
    // A run with input shapes seen before uses the arena planned from what the earlier run produced
    // (planned when those shapes come back: shapes seen once, as every token of a decode loop with a
    // growing KV cache has, never pay for planning); a run with new shapes allocates as it goes and
    // records every value's size.
    let arena: RunArena | undefined;
    let sizes: Map<string, ValueSpec> | undefined;
    const key = this.useArena || this.replayShapes ? shapeKey(bound, (this.keyNames ??= this.model.graph.inputs.map((i) => i.name))) : '';
    let shapes: ShapeRun | undefined;
    if (this.replayShapes) {
      const kept = this.shapeValues.peek(key);
      shapes = kept ? { values: kept, replay: true } : { values: new ShapeValues(), replay: false };
    }
    if (this.useArena) {
      let plan = this.arenaPlans.peek(key);
      if (plan instanceof Map) this.arenaPlans.set(key, (plan = this.observedPlan(plan)));
      if (plan) arena = { plan, buffer: this.arenaPool.acquire(plan.size), stats: { served: 0, fresh: 0, fenced: 0 } };
      else if (plan === undefined) sizes = new Map();
    }
    let values: Value[];
    try {
      values = await this.executor!.run(graph, bound, { arena, sizes, shapes });
    } finally {
      if (arena) {
        this.arenaPool.release(arena.buffer);
        const st = this.arenaStats;
        st.runs++;
        st.served += arena.stats.served;
        st.fresh += arena.stats.fresh;
        st.fenced += arena.stats.fenced;
      }
    }
    if (sizes) this.arenaPlans.set(key, sizes);
    if (shapes && !shapes.replay) this.shapeValues.set(key, shapes.values);
    const out: Results = {};
    graph.outputs.forEach((o, i) => { if (names.includes(o.name)) out[o.name] = values[i]!; });
    return out;
  }

  async release(): Promise<void> {
    this.released = true;
    this.arenaPool.clear();
    this.shapeValues.clear();
    await this.delegate?.release();
  }

  private checkFeeds(feeds: Feeds): Map<string, Value> {
    if (feeds === null || typeof feeds !== 'object') throw new InputError('feeds must be an object mapping input names to tensors');
    const byName = (this.inputsByName ??= new Map(this.model.graph.inputs.map((i) => [i.name, i])));
    for (const k of Object.keys(feeds)) {
      if (!byName.has(k)) throw new InputError(`unknown input '${k}'; inputs are: ${this.inputNames.join(', ')}`);
    }
    const missing = this.inputNames.filter((n) => !(n in feeds));
    const optional = missing.filter((n) => byName.get(n)?.type?.kind === 'optional');
    const required = missing.filter((n) => !optional.includes(n));
    if (required.length) throw new InputError(`missing input${required.length > 1 ? 's' : ''} ${required.map((n) => `'${n}'`).join(', ')}`);
    const symbols = new Map<string, { value: number; input: string }>();
    const bound = new Map<string, Value>();
    for (const n of optional) bound.set(n, null);
    for (const [name, v] of Object.entries(feeds)) {
      checkValue(name, v, byName.get(name)!.type, symbols);
      bound.set(name, v);
    }
    return bound;
  }
}

/** Every initializer of `g` and of its subgraphs (If branches, Loop/Scan bodies). */
function* initializersOf(g: Graph): Generator<Tensor> {
  yield* g.initializers.values();
  for (const n of g.nodes) {
    for (const a of Object.values(n.attrs)) {
      if (a.type === 'graph') yield* initializersOf(a.value);
      else if (a.type === 'graphs') for (const sg of a.value) yield* initializersOf(sg);
    }
  }
}

/**
 * The storage of every initializer of `g` and its subgraphs, each once; released weights (only a
 * backend's packed copy in memory: Tensor.release) are not held, and not read.
 */
function weightData(g: Graph): Set<unknown> {
  const out = new Set<unknown>();
  for (const t of initializersOf(g)) if (!t.released) out.add(t.data);
  return out;
}

/**
 * `name:type[d0,d1]` per input in the model's input order (not the feeds object's key order, so
 * `{ a, b }` and `{ b, a }` share plans), `;`-separated: the arena plan and shape replay caches' key.
 */
function shapeKey(bound: Map<string, Value>, names: readonly string[]): string {
  let key = '';
  for (const k of names) {
    const v = bound.get(k) ?? null;
    if (key) key += ';';
    key += k;
    if (v instanceof Tensor) {
      key += ':' + v.type + '[';
      const d = v.dims;
      for (let i = 0; i < d.length; i++) key += (i ? ',' : '') + d[i];
      key += ']';
    } else key += Array.isArray(v) ? ':seq' : ':none';
  }
  return key;
}

function checkValue(name: string, v: Value, t: TypeInfo | undefined, symbols: Map<string, { value: number; input: string }>): void {
  if (!t) return;
  if (t.kind === 'optional') {
    if (v === null) return;
    return checkValue(name, v, t.elem, symbols);
  }
  if (t.kind === 'sequence') {
    if (!Array.isArray(v)) throw new InputError(`input '${name}' expects ${describe(t)}, got ${v instanceof Tensor ? `a tensor` : String(v)}`);
    // Symbolic dims in a sequence's element type bind per element (elements may differ in shape).
    for (const x of v) checkValue(name, x, t.elem, new Map(symbols));
    return;
  }
  if (t.kind !== 'tensor') return;
  if (!(v instanceof Tensor)) {
    const got = v && typeof v === 'object' && 'type' in v && 'dims' in v ? 'a foreign tensor object (use onnxflow Tensor)' : Array.isArray(v) ? 'a sequence' : String(v);
    throw new InputError(`input '${name}' expects a tensor ${describe(t)}, got ${got}`);
  }
  if (v.type !== t.elemType) throw new InputError(`input '${name}' expects dtype ${t.elemType}, got ${v.type} (shape [${v.dims.join(',')}])`);
  if (!t.shape) return;
  if (v.dims.length !== t.shape.length) {
    throw new InputError(`input '${name}' expects rank ${t.shape.length} [${t.shape.map((d) => d ?? '?').join(',')}], got rank ${v.dims.length} [${v.dims.join(',')}]`);
  }
  t.shape.forEach((d, i) => {
    const actual = v.dims[i]!;
    if (typeof d === 'number' && d !== actual) {
      throw new InputError(`input '${name}' dim ${i} must be ${d} (expected [${t.shape!.map((x) => x ?? '?').join(',')}]), got [${v.dims.join(',')}]`);
    }
    if (typeof d === 'string') {
      const seen = symbols.get(d);
      if (seen && seen.value !== actual) {
        throw new InputError(`input '${name}' dim ${i} ('${d}') is ${actual}, but input '${seen.input}' has '${d}' = ${seen.value}`);
      }
      symbols.set(d, { value: actual, input: name });
    }
  });
}
