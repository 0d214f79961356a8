// Runs a Plan: values live in a slot array per run (indices fixed by the plan), kernels are called
// in plan order, dead values are dropped after their last reader. Per node the run does only what
// cannot be precomputed: gather inputs by slot, one small context object, the kernel call (awaited
// only when it returns a Promise), output checks and stores.

import type { KernelContext, Value } from '../backends/backend.js';
import type { Attrs } from '../backends/attrs.js';
import type { Graph, Node } from '../ir/graph.js';
import type { DataType, NumericArray } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { KernelError, OnnxflowError } from '../errors.js';
import { ABSENT, type Plan, type PlanContext, type PlannedNode, type Slot, buildPlan, shapeDerivedOf } from './plan.js';
import { type RunArena, arenaAlloc, fence, observe } from './arena-run.js';
import type { ShapeRun } from './shape-values.js';
import type { ValueSpec } from './arena.js';

/**
 * The values of one running graph, and the frame of the graph that encloses it (a subgraph run's
 * names not defined locally resolve there).
 */
export class Frame {
  constructor(readonly plan: Plan, readonly values: Slot[], readonly parent: Frame | undefined, readonly executor: Executor) {}

  /** The value `name` has here or in an enclosing frame; ABSENT when none. */
  lookup(name: string): Slot {
    for (let f: Frame | undefined = this; f; f = f.parent) {
      const i = f.plan.slotOf.get(name);
      if (i === undefined) continue;
      const v = f.values[i];
      if (v !== ABSENT) return v;
    }
    return ABSENT;
  }
}

export interface NodeEvent {
  node: string;
  opType: string;
  ms: number;
}

export interface RunHooks {
  /** Called after every node with its time; used by profiling and tracing. */
  onNode?(e: NodeEvent): void;
}

function isValue(v: unknown): v is Value {
  return v === null || v instanceof Tensor || Array.isArray(v);
}

/** `KernelContext.alloc` of a run with an arena (one shared function: `this` is the node's context). */
function allocFromArena(this: NodeContext, index: number, type: DataType, dims: readonly number[]): NumericArray {
  return arenaAlloc(this.arena, this.step.node.outputs[index], type, dims);
}

function runSubgraphIn(this: NodeContext, graph: Graph, inputs: readonly Value[]): Promise<Value[]> {
  return this.frame.executor.runGraph(graph, inputs, this.frame);
}

/**
 * What a kernel sees: fields copied from the planned step; `runSubgraph` and `alloc` (undefined when
 * the run has no arena) are shared functions, not closures per node. All are own properties, so a
 * copy (`{ ...ctx }`, as a wrapping backend may make) still works.
 */
class NodeContext implements KernelContext {
  readonly node: Node;
  readonly attrs: Attrs;
  readonly opset: number;
  readonly outputCount: number;
  readonly outputWanted: readonly boolean[];
  readonly runSubgraph: KernelContext['runSubgraph'];
  readonly alloc: KernelContext['alloc'];
  constructor(readonly step: PlannedNode, readonly frame: Frame, readonly arena: RunArena | undefined) {
    this.node = step.node;
    this.attrs = step.attrs;
    this.opset = step.opset;
    this.outputCount = step.node.outputs.length;
    this.outputWanted = step.outputWanted;
    this.runSubgraph = runSubgraphIn;
    this.alloc = arena ? allocFromArena : undefined;
  }
}

export class Executor {
  private readonly plans = new WeakMap<Graph, Plan>();

  constructor(private readonly ctx: PlanContext, private readonly hooks: RunHooks = {}) {}

  plan(graph: Graph, isSubgraph: boolean): Plan {
    let p = this.plans.get(graph);
    if (!p) {
      p = buildPlan(graph, this.ctx, isSubgraph);
      this.plans.set(graph, p);
    }
    return p;
  }

  /**
   * Run the main graph `graph` with `inputs` bound by name; returns every graph output in order. With
   * `arena`, kernels allocate planned outputs in it; outputs never point into it. With `sizes`, the
   * type and bytes of every value produced are recorded (to plan an arena from). With `shapes`, the
   * shape-derived values are recorded or replayed (engine/shape-values.ts). Subgraphs run through runGraph.
   */
  run(graph: Graph, inputs: Map<string, Value>, opts: { arena?: RunArena; sizes?: Map<string, ValueSpec>; shapes?: ShapeRun } = {}): Promise<Value[]> {
    try {
      const plan = this.plan(graph, false);
      const frame = this.frame(plan, undefined);
      const values = frame.values;
      for (const [k, v] of inputs) {
        const i = plan.slotOf.get(k);
        if (i !== undefined) values[i] = v;
      }
      return this.exec(frame, opts.arena, opts.sizes, opts.shapes);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Run a subgraph (If branch, Loop/Scan body) with `inputs` bound to its inputs in order, inside `parent`. */
  runGraph(graph: Graph, inputs: readonly Value[], parent: Frame): Promise<Value[]> {
    try {
      const plan = this.plan(graph, true);
      const frame = this.frame(plan, parent);
      const slots = plan.inputSlots;
      for (let i = 0; i < slots.length; i++) frame.values[slots[i]!] = inputs[i] ?? null;
      return this.exec(frame, undefined, undefined);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private frame(plan: Plan, parent: Frame | undefined): Frame {
    const values = plan.initial.slice();
    const frame = new Frame(plan, values, parent, this);
    if (parent) {
      const { outerNames, outerSlots } = plan;
      for (let i = 0; i < outerSlots.length; i++) values[outerSlots[i]!] = parent.lookup(outerNames[i]!);
    }
    return frame;
  }

  private async exec(frame: Frame, arena: RunArena | undefined, sizes: Map<string, ValueSpec> | undefined, shapes?: ShapeRun): Promise<Value[]> {
    const { plan, values } = frame;
    const onNode = this.hooks.onNode;
    const steps = plan.steps;
    const derived = shapes ? shapeDerivedOf(plan) : undefined;
    const replay = shapes?.replay ? shapes.values.byStep : undefined;
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s]!;
      const { node, inSlots, outSlots } = step;
      if (replay && derived![s]) {
        const kept = replay.get(s);
        if (kept) {
          for (let i = 0; i < outSlots.length; i++) if (outSlots[i]! >= 0) values[outSlots[i]!] = kept[i]!;
          const frees = step.freeSlots;
          for (let i = 0; i < frees.length; i++) values[frees[i]!] = ABSENT;
          continue;
        }
      }
      const args: (Value | undefined)[] = new Array(inSlots.length);
      for (let i = 0; i < inSlots.length; i++) {
        const slot = inSlots[i]!;
        if (slot < 0) continue;
        const v = values[slot];
        if (v === ABSENT) throw new KernelError(node.name, node.opType, `input '${node.inputs[i]}' has no value`);
        args[i] = v;
      }
      const kctx = new NodeContext(step, frame, arena);
      const t0 = onNode ? performance.now() : 0;
      let outs: Value[];
      try {
        const r = step.kernel(args, kctx);
        outs = r instanceof Promise ? await r : r;
      } catch (e) {
        if (e instanceof OnnxflowError) throw e;
        throw new KernelError(step.label, node.opType, (e as Error)?.message ?? String(e), { cause: e });
      }
      if (onNode) onNode({ node: node.name, opType: node.opType, ms: performance.now() - t0 });
      for (let i = 0; i < outSlots.length; i++) {
        const slot = outSlots[i]!;
        if (slot < 0) continue;
        const v = outs[i];
        if (v === undefined || !isValue(v)) {
          throw new KernelError(node.name, node.opType, `kernel produced no value for output ${i} ('${node.outputs[i]}')`);
        }
        values[slot] = arena ? fence(arena, node.outputs[i]!, v) : v;
        if (sizes) observe(sizes, node.outputs[i]!, v);
      }
      if (derived && !replay && derived[s]) shapes!.values.record(s, outSlots, values, arena);
      const frees = step.freeSlots;
      for (let i = 0; i < frees.length; i++) values[frees[i]!] = ABSENT;
    }
    const outSlots = plan.outputSlots;
    const result: Value[] = new Array(outSlots.length);
    for (let i = 0; i < outSlots.length; i++) {
      const v = values[outSlots[i]!];
      if (v === undefined || v === ABSENT) throw new KernelError(plan.graph.name, 'Graph', `output '${plan.graph.outputs[i]!.name}' was not computed`);
      result[i] = shapes ? shapes.values.detach(v) : v; // never hand out storage the replay cache keeps
    }
    return result;
  }
}
