// Runs a Plan: binds values by name through nested scopes, calls kernels, frees dead values.

import type { KernelContext, Value } from '../backends/backend.js';
import type { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { KernelError, OnnxflowError } from '../errors.js';
import { type Plan, type PlanContext, buildPlan } from './plan.js';
import { type RunArena, arenaAlloc, fence, observe } from './arena-run.js';
import type { ValueSpec } from './arena.js';

/** Values visible while running a graph: its own, then its enclosing graphs'. */
export class Scope {
  readonly values = new Map<string, Value>();
  constructor(readonly initializers: Map<string, Tensor>, readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.values.get(name);
      if (v !== undefined) return v;
      if (s.values.has(name)) return v;
      const init = s.initializers.get(name);
      if (init) return init;
    }
    return undefined;
  }

  has(name: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.values.has(name) || s.initializers.has(name)) return true;
    return false;
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
   * Run `graph` with `inputs` bound by name; returns every graph output in order. With `arena`
   * (main graph only), kernels allocate planned outputs in it; outputs never point into it. With
   * `sizes`, the type and bytes of every value produced are recorded (to plan an arena from).
   */
  async run(graph: Graph, inputs: Map<string, Value>, parent?: Scope, isSubgraph = false, arena?: RunArena, sizes?: Map<string, ValueSpec>): Promise<Value[]> {
    const plan = this.plan(graph, isSubgraph);
    const scope = new Scope(plan.initializers, parent);
    for (const [k, v] of inputs) scope.values.set(k, v);
    for (const step of plan.steps) {
      const { node } = step;
      const args: (Value | undefined)[] = node.inputs.map((name) => {
        if (!name) return undefined;
        const v = scope.lookup(name);
        if (v === undefined && !scope.has(name)) {
          throw new KernelError(node.name, node.opType, `input '${name}' has no value`);
        }
        return v;
      });
      const kctx: KernelContext = {
        node,
        attrs: step.attrs,
        opset: step.opset,
        outputCount: node.outputs.length,
        outputWanted: step.outputWanted,
        runSubgraph: (g, vals) => {
          const m = new Map<string, Value>();
          g.inputs.forEach((vi, i) => m.set(vi.name, vals[i] ?? null));
          return this.run(g, m, scope, true);
        },
        alloc: arena ? (i, type, dims) => arenaAlloc(arena, node.outputs[i], type, dims) : undefined,
      };
      const t0 = this.hooks.onNode ? performance.now() : 0;
      let outs: Value[];
      try {
        const r = step.kernel(args, kctx);
        outs = r instanceof Promise ? await r : r;
      } catch (e) {
        if (e instanceof OnnxflowError) throw e;
        throw new KernelError(node.name || '(unnamed)', node.opType, (e as Error)?.message ?? String(e), { cause: e });
      }
      if (this.hooks.onNode) this.hooks.onNode({ node: node.name, opType: node.opType, ms: performance.now() - t0 });
      for (let i = 0; i < node.outputs.length; i++) {
        const name = node.outputs[i];
        if (!name) continue;
        const v = outs[i];
        if (v === undefined || !isValue(v)) {
          throw new KernelError(node.name, node.opType, `kernel produced no value for output ${i} ('${name}')`);
        }
        scope.values.set(name, arena ? fence(arena, name, v) : v);
        if (sizes) observe(sizes, name, v);
      }
      for (const f of step.frees) scope.values.delete(f);
    }
    return graph.outputs.map((o) => {
      const v = scope.lookup(o.name);
      if (v === undefined) throw new KernelError(graph.name, 'Graph', `output '${o.name}' was not computed`);
      return v;
    });
  }
}
