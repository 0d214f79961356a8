// Arena plans for a model's main graph at concrete input dims: shape inference with the inputs
// bound, then the liveness planner (arena.ts) over the execution order.

import type { Graph, Model, Node } from '../ir/graph.js';
import { graphOuterRefs, subgraphOuterRefs } from '../ir/graph.js';
import { type ShapeInfo, inferShapes } from '../ir/shape/infer.js';
import type { DataType } from '../ir/dtype.js';
import { type ArenaNode, type ArenaPlan, type ValueSpec, planArena, storageBytes } from './arena.js';
import { functionMap, inlineFunctions } from './inline.js';
import { topoSort } from './plan.js';

export function hasSubgraphs(n: Node): boolean {
  for (const a of Object.values(n.attrs)) if (a.type === 'graph' || a.type === 'graphs') return true;
  return false;
}

export function toArenaNodes(nodes: readonly Node[]): ArenaNode[] {
  return nodes.map((n) => {
    const sub = hasSubgraphs(n);
    return { opType: n.opType, domain: n.domain, inputs: n.inputs, outputs: n.outputs, outerRefs: sub ? subgraphOuterRefs(n) : [], hasSubgraphs: sub };
  });
}

/** Concrete shape of each tensor input: from the run's feeds, or its declared dims with symbols bound from `dims` (else 1). */
export type InputShapes = Map<string, { type?: DataType; dims: readonly number[] }>;

export function inputShapesFromDims(g: Graph, dims: Record<string, number> = {}): InputShapes {
  const out: InputShapes = new Map();
  for (const i of g.inputs) {
    if (g.initializers.has(i.name) || i.type?.kind !== 'tensor' || !i.type.shape) continue;
    out.set(i.name, { type: i.type.elemType, dims: i.type.shape.map((d) => (typeof d === 'number' ? d : typeof d === 'string' && dims[d] !== undefined ? dims[d]! : 1)) });
  }
  return out;
}

/** Type, storage bytes and dims of every value shape inference sizes exactly at these input shapes. */
export function valueSpecs(model: Model, inputs: InputShapes): (name: string) => (ValueSpec & { dims: number[] }) | undefined {
  const overrides = new Map<string, ShapeInfo>();
  for (const [name, s] of inputs) {
    const decl = model.graph.inputs.find((i) => i.name === name)?.type;
    const type = s.type ?? (decl?.kind === 'tensor' ? decl.elemType : undefined);
    if (type) overrides.set(name, { type, shape: [...s.dims] });
  }
  const { values } = inferShapes(model, overrides);
  return (name) => {
    const v = values.get(name);
    if (!v || v.sequence || !v.type || !v.shape) return undefined;
    let n = 1;
    for (const d of v.shape) {
      if (typeof d !== 'number') return undefined;
      n *= d;
    }
    const bytes = storageBytes(v.type, n);
    return bytes === undefined ? undefined : { type: v.type, bytes, dims: v.shape as number[] };
  };
}

/** Plan `order` (the nodes as they will run) of `model`'s main graph. */
export function planModelArena(model: Model, order: readonly Node[], inputs: InputShapes, opts: { inPlace?: boolean } = {}): ArenaPlan {
  const g = model.graph;
  const external = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys(), ...(g.sparseInitializers?.keys() ?? [])]);
  return planArena(toArenaNodes(order), { external, outputs: new Set(g.outputs.map((o) => o.name)), spec: valueSpecs(model, inputs), inPlace: opts.inPlace });
}

/** The execution order the engine uses (functions inlined, stable topological order). */
export function executionOrder(model: Model): Node[] {
  const g = model.graph;
  const nodes = inlineFunctions(g.nodes, functionMap(model.functions));
  const available = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys(), ...(g.sparseInitializers?.keys() ?? [])]);
  try {
    return topoSort(nodes, available, true);
  } catch {
    return nodes;
  }
}

export interface ModelMemoryPlan extends ArenaPlan {
  /** Largest working buffer one kernel allocates outside the arena (a FusedAttention's score matrix). */
  scratch: number;
  /** Largest arena a subgraph body (If branch, Loop/Scan body) would need, planned on its own. */
  subgraphs: number;
}

/** Score-matrix bytes a com.onnxflow FusedAttention materializes while it runs (0 if unknown). */
function attentionScratch(n: Node, spec: ReturnType<typeof valueSpecs>): number {
  if (n.opType !== 'FusedAttention' || n.domain !== 'com.onnxflow') return 0;
  const out = spec(n.outputs[0] ?? '');
  const kt = spec(n.inputs[1] ?? '');
  const dv = out?.dims[out.dims.length - 1];
  const sk = kt?.dims[kt.dims.length - 1];
  if (!out || !dv || sk === undefined) return 0;
  return (out.bytes / dv) * sk;
}

/** The arena plan of a model at `dims` (symbolic input dims by name; unbound ones count as 1). */
export function planModelMemory(model: Model, dims: Record<string, number> = {}, opts: { inPlace?: boolean } = {}, depth = 0): ModelMemoryPlan {
  return planWithShapes(model, inputShapesFromDims(model.graph, dims), opts, depth);
}

function planWithShapes(model: Model, inputs: InputShapes, opts: { inPlace?: boolean }, depth: number): ModelMemoryPlan {
  const g = model.graph;
  const order = executionOrder(model);
  const spec = valueSpecs(model, inputs);
  const external = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys(), ...(g.sparseInitializers?.keys() ?? [])]);
  const plan = planArena(toArenaNodes(order), { external, outputs: new Set(g.outputs.map((o) => o.name)), spec, inPlace: opts.inPlace });
  let scratch = 0;
  let subgraphs = 0;
  for (const n of order) {
    scratch = Math.max(scratch, attentionScratch(n, spec));
    if (depth >= 4 || !hasSubgraphs(n)) continue;
    for (const a of Object.values(n.attrs)) {
      const bodies = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
      for (const body of bodies) {
        // The body as a graph of its own: what it reads from outside becomes inputs of the inferred shapes.
        const outer = [...graphOuterRefs(body)].filter((r) => !g.initializers.has(r));
        const shapes: InputShapes = new Map();
        for (const r of outer) {
          const sp = spec(r);
          if (sp) shapes.set(r, { type: sp.type, dims: sp.dims });
        }
        const sub: Model = {
          ...model,
          graph: {
            ...body,
            inputs: [...body.inputs, ...outer.map((r) => ({ name: r, type: shapes.has(r) ? { kind: 'tensor' as const, elemType: shapes.get(r)!.type!, shape: [...shapes.get(r)!.dims] } : undefined }))],
            initializers: new Map([...g.initializers, ...body.initializers]),
          },
        };
        try {
          const p = planWithShapes(sub, shapes, opts, depth + 1);
          subgraphs = Math.max(subgraphs, p.size + p.scratch, p.subgraphs);
        } catch {
          // a body that cannot be planned statically counts as 0
        }
      }
    }
  }
  return { ...plan, scratch, subgraphs };
}
