// The graph optimizer: optimizeModel(model, { level }) returns an optimized copy (the input model is
// not changed; tensors are shared) and a report. Passes live one per file; the order in passes.ts.

import type { Backend } from '../backends/backend.js';
import type { Graph, Model, Node, ValueInfo } from '../ir/graph.js';
import { graphOuterRefs } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { type ShapeInfo, inferShapes } from '../ir/shape/infer.js';
import { topoSort } from '../engine/plan.js';
import { FUSED_DOMAIN, LEVELS, type OptimizationLevel, createContext } from './context.js';
import { passesFor } from './passes.js';
import { eliminateDeadCode } from './dce.js';
import { fusedGemmTransBInPlace, setFoldPolicy } from './constant-fold.js';

export { LEVELS, FUSED_DOMAIN, type OptimizationLevel } from './context.js';
export { estimatePeakMemory } from './memory.js';

export interface OptimizeOptions {
  level?: OptimizationLevel;
  /** Fusions only emit ops this backend has kernels for (default: any, i.e. the cpu backend's). */
  backend?: Backend;
  /** Largest folded output, in elements. */
  maxFoldElements?: number;
  /** Optimize If/Loop/Scan bodies too (default true). */
  subgraphs?: boolean;
}

const MAX_SUBGRAPH_DEPTH = 4;

export interface OptimizeReport {
  level: OptimizationLevel;
  nodesBefore: number;
  nodesAfter: number;
  opsBefore: Record<string, number>;
  opsAfter: Record<string, number>;
  /** Fusions applied, by kind. */
  fusions: Record<string, number>;
  /** Changes per pass. */
  passes: Record<string, number>;
  ms: number;
}

export function parseLevel(s: string | undefined): OptimizationLevel {
  const v = (s ?? 'all') as OptimizationLevel;
  if (!LEVELS.includes(v)) throw new Error(`unknown graph optimization level '${s}' (expected ${LEVELS.join(', ')})`);
  return v;
}

function subgraphsOf(n: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of Object.values(n.attrs)) {
    if (a.type === 'graph') out.push(a.value);
    else if (a.type === 'graphs') out.push(...a.value);
  }
  return out;
}

/** Nodes per op type (`domain:op` outside ai.onnx), subgraphs included. */
export function opCounts(g: Graph, out: Record<string, number> = {}): Record<string, number> {
  for (const n of g.nodes) {
    const k = n.domain ? `${n.domain}:${n.opType}` : n.opType;
    out[k] = (out[k] ?? 0) + 1;
    for (const sg of subgraphsOf(n)) opCounts(sg, out);
  }
  return out;
}

/** Nodes in a graph, subgraphs included. */
export function countNodes(g: Graph): number {
  let n = 0;
  for (const node of g.nodes) {
    n++;
    for (const sg of subgraphsOf(node)) n += countNodes(sg);
  }
  return n;
}

function usesFused(g: Graph): boolean {
  return g.nodes.some((n) => n.domain === FUSED_DOMAIN || subgraphsOf(n).some(usesFused));
}

/**
 * Optimize a subgraph as a graph of its own: names it reads from enclosing scopes become extra
 * inputs (typed from the enclosing inference) or, for enclosing constants, initializers; both are
 * taken out again afterwards. Returns a new Graph object (the engine caches per-graph facts).
 */
function optimizeSubgraph(sub: Graph, model: Model, consts: Map<string, Tensor>, shapes: Map<string, ShapeInfo>, opts: OptimizeOptions, report: OptimizeReport, depth: number): Graph {
  const extraInputs: ValueInfo[] = [];
  const extraInits = new Map<string, Tensor>();
  for (const r of graphOuterRefs(sub)) {
    const c = consts.get(r);
    if (c) { extraInits.set(r, c); continue; }
    const info = shapes.get(r);
    extraInputs.push({ name: r, type: info?.type && !info.sequence ? { kind: 'tensor', elemType: info.type, shape: info.shape } : undefined });
  }
  const pseudo: Model = { ...model, graph: { ...sub, inputs: [...sub.inputs, ...extraInputs], initializers: new Map([...extraInits, ...sub.initializers]) } };
  const { model: out, report: r } = optimizeAt(pseudo, opts, depth, new Set(extraInits.keys()));
  for (const [k, n] of Object.entries(r.fusions)) report.fusions[k] = (report.fusions[k] ?? 0) + n;
  for (const [k, n] of Object.entries(r.passes)) report.passes[k] = (report.passes[k] ?? 0) + n;
  const inits = new Map(out.graph.initializers);
  for (const [k, t] of extraInits) if (inits.get(k) === t && !sub.initializers.has(k)) inits.delete(k);
  return { ...out.graph, inputs: sub.inputs, initializers: inits };
}

function optimizeSubgraphs(model: Model, opts: OptimizeOptions, report: OptimizeReport, depth: number): void {
  const g = model.graph;
  if (!g.nodes.some((n) => subgraphsOf(n).length)) return;
  const inputs = new Set(g.inputs.map((i) => i.name));
  const consts = new Map<string, Tensor>();
  for (const [k, t] of g.initializers) if (!inputs.has(k)) consts.set(k, t);
  for (const n of g.nodes) for (const o of n.outputs) consts.delete(o);
  const shapes = inferShapes(model).values;
  for (const n of g.nodes) {
    for (const [k, a] of Object.entries(n.attrs)) {
      if (a.type === 'graph') n.attrs[k] = { type: 'graph', value: optimizeSubgraph(a.value, model, consts, shapes, opts, report, depth + 1) };
      else if (a.type === 'graphs') n.attrs[k] = { type: 'graphs', value: a.value.map((sg) => optimizeSubgraph(sg, model, consts, shapes, opts, report, depth + 1)) };
    }
  }
}

function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    inputs: g.inputs.map((v) => ({ ...v })),
    outputs: g.outputs.map((v) => ({ ...v })),
    initializers: new Map(g.initializers),
    valueInfo: [...g.valueInfo],
  };
}

const MAX_ROUNDS = 4;

export function optimizeModel(model: Model, opts: OptimizeOptions = {}): { model: Model; report: OptimizeReport } {
  const t0 = performance.now();
  const r = optimizeAt(model, opts, 0);
  r.report.nodesBefore = countNodes(model.graph);
  r.report.nodesAfter = countNodes(r.model.graph);
  r.report.opsAfter = opCounts(r.model.graph);
  if (usesFused(r.model.graph)) r.model.opsets.set(FUSED_DOMAIN, model.opsets.get(FUSED_DOMAIN) ?? 1);
  else if (!model.opsets.has(FUSED_DOMAIN)) r.model.opsets.delete(FUSED_DOMAIN);
  r.report.ms = performance.now() - t0;
  return r;
}

/** `outer`: constants of enclosing graphs a subgraph sees as its own initializers (held there anyway). */
function optimizeAt(model: Model, opts: OptimizeOptions, depth: number, outer?: ReadonlySet<string>): { model: Model; report: OptimizeReport } {
  const t0 = performance.now();
  const level = opts.level ?? 'all';
  const before = opCounts(model.graph);
  const report: OptimizeReport = {
    level, nodesBefore: model.graph.nodes.length, nodesAfter: model.graph.nodes.length, opsBefore: before, opsAfter: before, fusions: {}, passes: {}, ms: 0,
  };
  if (level === 'disabled') return { model, report };
  const out: Model = { ...model, opsets: new Map(model.opsets), graph: cloneGraph(model.graph) };
  const g = out.graph;
  const { rounds, once } = passesFor(level);
  if (once.length && !out.opsets.has(FUSED_DOMAIN)) out.opsets.set(FUSED_DOMAIN, 1);
  const ctx = createContext(out, { backend: opts.backend, maxFoldElements: opts.maxFoldElements });
  // Transposes of shared weights stay for the transpose folding (Gemm at every level, FusedGemm above
  // basic where the backend's FusedGemm reads transB in place): the weight is held once.
  setFoldPolicy(ctx, { fusedGemm: level !== 'basic' && fusedGemmTransBInPlace(opts.backend), outer });
  const run = (name: string, fn: (g: Graph, c: typeof ctx) => number): number => {
    const n = fn(g, ctx);
    if (n) report.passes[name] = (report.passes[name] ?? 0) + n;
    return n;
  };
  for (let r = 0; r < MAX_ROUNDS; r++) {
    let changed = 0;
    for (const p of rounds) changed += run(p.name, p.run);
    ctx.refreshShapes();
    if (!changed) break;
  }
  if (once.length) {
    for (const p of once) run(p.name, p.run);
    ctx.refreshShapes();
    for (const p of rounds) run(p.name, p.run);
  }
  if (opts.subgraphs !== false && depth < MAX_SUBGRAPH_DEPTH) {
    optimizeSubgraphs(out, opts, report, depth);
    ctx.changed();
    run('dce', eliminateDeadCode);
  }
  // Producers before readers (the ONNX checker wants it); valueInfo only for values that still exist.
  const available = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  try {
    g.nodes = topoSort(g.nodes, available, true) as Node[];
  } catch {
    // leave the order as it is: the plan reports real cycles
  }
  const names = new Set<string>([...available]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) names.add(o);
  g.valueInfo = g.valueInfo.filter((v) => names.has(v.name));
  if (!g.nodes.some((n) => n.domain === FUSED_DOMAIN) && !model.opsets.has(FUSED_DOMAIN)) out.opsets.delete(FUSED_DOMAIN);
  report.nodesAfter = g.nodes.length;
  report.opsAfter = opCounts(g);
  for (const [k, n] of ctx.fusions) report.fusions[k] = (report.fusions[k] ?? 0) + n;
  report.ms = performance.now() - t0;
  return { model: out, report };
}
