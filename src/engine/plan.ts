// Execution plan of one graph: function inlining, topological order, kernels bound, value lifetimes,
// and a slot layout: every value the graph names gets an index into one array per run (initializers
// pre-filled), so the executor reads and writes values by precomputed index, not by name.

import type { Backend, KernelFn, Value } from '../backends/backend.js';
import { Attrs } from '../backends/attrs.js';
import type { FunctionDef, Graph } from '../ir/graph.js';
import { subgraphOuterRefs } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { ModelError, UnsupportedOpError } from '../errors.js';
import { type BoundNode, inlineFunctions } from './inline.js';
import { densify } from '../ir/sparse.js';
import { shapeDerivedSteps } from './shape-values.js';

export interface PlannedNode {
  node: BoundNode;
  kernel: KernelFn;
  attrs: Attrs;
  opset: number;
  /** Values whose last use is this step (to free afterwards). */
  frees: string[];
  outputWanted: boolean[];
  /** Slot of each input (-1: omitted optional input), of each output (-1: unwanted), of each freed value. */
  inSlots: Int32Array;
  outSlots: Int32Array;
  freeSlots: Int32Array;
  /** `node.name || '(unnamed)'`, as errors name the node. */
  label: string;
}

/** A slot with no value (not computed yet, freed, or nowhere defined): reading it is an error. */
export const ABSENT: unique symbol = Symbol('absent');
export type Slot = Value | undefined | typeof ABSENT;

export interface Plan {
  graph: Graph;
  steps: PlannedNode[];
  initializers: Map<string, Tensor>;
  /** Slot per value name; `initial` is a run's starting slot array (initializers in place, the rest ABSENT). */
  slotOf: Map<string, number>;
  initial: readonly Slot[];
  /** Names read from enclosing graphs (subgraphs only) and their slots: bound once when a run starts. */
  outerNames: string[];
  outerSlots: Int32Array;
  /** Slots of the graph's inputs and outputs, in order. */
  inputSlots: Int32Array;
  outputSlots: Int32Array;
  /**
   * Per step, 1 when its outputs depend only on the input shapes (main graphs; all 0 in subgraphs).
   * Computed on first use (`shapeDerivedOf`): a plan built only to check a graph never needs it.
   */
  shapeDerived?: Uint8Array;
  isSubgraph: boolean;
}

export interface PlanContext {
  backend: Backend;
  opsets: Map<string, number>;
  functions: Map<string, FunctionDef>;
}

/** Kahn's algorithm over data edges (including subgraph outer references). Stable for valid order. */
export function topoSort(nodes: BoundNode[], available: Set<string>, outerScope: boolean): BoundNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => { if (o) producer.set(o, i); }));
  const deps = nodes.map((n) => {
    const s = new Set<number>();
    for (const name of [...n.inputs, ...subgraphOuterRefs(n)]) {
      if (!name || available.has(name)) continue;
      const p = producer.get(name);
      if (p === undefined) {
        if (outerScope) continue; // resolved from an enclosing graph at run time
        throw new ModelError(`node '${n.name}' (${n.opType}) reads '${name}', which no node, input or initializer defines`);
      }
      s.add(p);
    }
    return s;
  });
  const users: number[][] = nodes.map(() => []);
  const indeg = deps.map((d) => d.size);
  deps.forEach((d, i) => d.forEach((p) => users[p]!.push(i)));
  const ready: number[] = [];
  indeg.forEach((d, i) => { if (d === 0) ready.push(i); });
  const order: BoundNode[] = [];
  // Keep file order among ready nodes (a min-heap would be exact; a sorted insert is fine here).
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(nodes[i]!);
    for (const u of users[i]!) if (--indeg[u]! === 0) ready.push(u);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => indeg[i]! > 0).slice(0, 5).map((n) => `'${n.name || n.opType}'`);
    throw new ModelError(`graph '${'' + (nodes[0]?.name ?? '')}' has a cycle through nodes ${stuck.join(', ')}`);
  }
  return order;
}

export function buildPlan(graph: Graph, ctx: PlanContext, isSubgraph: boolean): Plan {
  const nodes = inlineFunctions(graph.nodes, ctx.functions);
  const initializers = new Map(graph.initializers);
  if (graph.sparseInitializers) for (const [k, s] of graph.sparseInitializers) initializers.set(k, densify(s));
  const available = new Set<string>([...graph.inputs.map((i) => i.name), ...initializers.keys()]);
  const defined = new Set<string>(available);
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      if (defined.has(o) && !initializers.has(o)) throw new ModelError(`value '${o}' is produced twice (node '${n.name}' ${n.opType})`);
      defined.add(o);
    }
  }
  const order = topoSort(nodes, available, isSubgraph);
  const missing: UnsupportedOpError[] = [];
  const steps: PlannedNode[] = [];
  for (const node of order) {
    const opset = node.opsets?.get(node.domain) ?? ctx.opsets.get(node.domain) ?? (node.domain === '' ? 1 : 1);
    const kernel = ctx.backend.getKernel(node.opType, node.domain, opset);
    if (!kernel) {
      missing.push(new UnsupportedOpError(node.opType, node.domain, opset, `no kernel in backend '${ctx.backend.name}' (node '${node.name}')`));
      continue;
    }
    steps.push({
      node, kernel, attrs: new Attrs(node), opset, frees: [], outputWanted: node.outputs.map((o) => o !== ''),
      inSlots: EMPTY, outSlots: EMPTY, freeSlots: EMPTY, label: node.name || '(unnamed)',
    });
  }
  if (missing.length === 1) throw missing[0];
  if (missing.length > 1) {
    const ops = [...new Set(missing.map((m) => `${m.domain || 'ai.onnx'}::${m.opType} (opset ${m.opset})`))];
    const err = missing[0]!;
    err.message = `unsupported operators in backend '${ctx.backend.name}': ${ops.join(', ')}`;
    throw err;
  }
  // Lifetimes: free a value after its last reader, unless it is a graph output or an initializer.
  const keep = new Set<string>([...graph.outputs.map((o) => o.name), ...initializers.keys()]);
  const last = new Map<string, number>();
  steps.forEach((s, i) => {
    for (const name of [...s.node.inputs, ...subgraphOuterRefs(s.node)]) if (name) last.set(name, i);
  });
  for (const [name, i] of last) if (!keep.has(name)) steps[i]!.frees.push(name);
  // Slots: inputs, initializers, node outputs; then whatever is read but defined nowhere here (outer).
  const slotOf = new Map<string, number>();
  const slot = (name: string): number => {
    let i = slotOf.get(name);
    if (i === undefined) slotOf.set(name, (i = slotOf.size));
    return i;
  };
  for (const i of graph.inputs) slot(i.name);
  for (const k of initializers.keys()) slot(k);
  for (const s of steps) for (const o of s.node.outputs) if (o) slot(o);
  const local = slotOf.size;
  for (const s of steps) {
    s.inSlots = Int32Array.from(s.node.inputs, (n) => (n ? slot(n) : -1));
    for (const r of subgraphOuterRefs(s.node)) slot(r);
    s.outSlots = Int32Array.from(s.node.outputs, (n) => (n ? slotOf.get(n)! : -1));
    s.freeSlots = Int32Array.from(s.frees, (n) => slot(n));
  }
  const outputSlots = Int32Array.from(graph.outputs, (o) => slot(o.name));
  const inputSlots = Int32Array.from(graph.inputs, (i) => slotOf.get(i.name)!);
  const names = [...slotOf.keys()];
  const initial: Slot[] = names.map(() => ABSENT);
  for (const [k, t] of initializers) initial[slotOf.get(k)!] = t;
  const outerNames = names.slice(local);
  const outerSlots = Int32Array.from(outerNames, (n) => slotOf.get(n)!);
  return { graph, steps, initializers, slotOf, initial, outerNames, outerSlots, inputSlots, outputSlots, isSubgraph };
}

/** The plan's shape-derived step flags (engine/shape-values.ts), computed once. */
export function shapeDerivedOf(plan: Plan): Uint8Array {
  return (plan.shapeDerived ??= plan.isSubgraph ? new Uint8Array(plan.steps.length) : shapeDerivedSteps(plan.graph, plan.steps, plan.initializers));
}

const EMPTY = new Int32Array(0);

export { Tensor };
