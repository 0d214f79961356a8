// Peak activation memory. planPeakMemory: the engine's real arena plan. estimatePeakMemory: a quick
// estimate, a liveness pass over the execution plan's order with the
// inferred shapes (the inputs' symbolic dims bound from the caller's `dims`; dims still symbolic
// count as 1, unknown ones make the value count as 0). Initializers and graph inputs are not
// counted; a FusedAttention's score matrix counts while it runs.

import type { Graph, Model } from '../ir/graph.js';
import { graphOuterRefs, subgraphOuterRefs, type ValueInfo } from '../ir/graph.js';
import { wireBits } from '../ir/dtype.js';
import { type ShapeInfo, inferShapes } from '../ir/shape/infer.js';
import { topoSort } from '../engine/plan.js';
import { planModelMemory } from '../engine/memory-plan.js';

export interface PlannedMemory {
  /** Arena bytes the engine's memory planner assigns one run (liveness reuse, in-place elementwise, 64-byte aligned). */
  planned: number;
  /** Sum of every intermediate's bytes: a run that never reused memory. */
  naive: number;
  /** Largest sum of simultaneously live intermediates. */
  peakLive: number;
  inPlace: number;
  aliases: number;
  /** Intermediates of unknown size before the run (not in the plan: ops shape inference does not know, data-dependent shapes). */
  unplanned: number;
  /** Largest working buffer one kernel allocates outside the arena (a FusedAttention's scores). */
  scratch: number;
  /** Largest arena a subgraph body (If branch, Loop body) needs, planned on its own. */
  subgraphs: number;
}

/**
 * Peak activation memory of one run of the main graph as the engine plans it (engine/arena.ts),
 * with the inputs' symbolic dims bound from `dims` (unbound ones count as 1). Subgraph bodies and
 * values whose size is only known at run time are not counted.
 */
export function planPeakMemory(model: Model, dims: Record<string, number> = {}): PlannedMemory {
  const p = planModelMemory(model, dims);
  return { planned: p.size, naive: p.naiveBytes, peakLive: p.peakLiveBytes, inPlace: p.inPlace, aliases: p.aliases, unplanned: p.unplanned, scratch: p.scratch, subgraphs: p.subgraphs };
}

export function estimatePeakMemory(model: Model, dims: Record<string, number> = {}, depth = 0): number {
  const g: Graph = model.graph;
  // Bind the named dims on the inputs, so inference computes concrete sizes throughout.
  const overrides = new Map<string, ShapeInfo>();
  for (const i of g.inputs) {
    if (i.type?.kind !== 'tensor' || !i.type.shape) continue;
    overrides.set(i.name, { type: i.type.elemType, shape: i.type.shape.map((d) => (typeof d === 'string' && dims[d] !== undefined ? dims[d]! : d)) });
  }
  const { values } = inferShapes(model, overrides);
  const size = (name: string): number => {
    const v = values.get(name);
    if (!v?.shape || !v.type || v.type === 'string') return 0;
    let n = 1;
    for (const d of v.shape) {
      if (typeof d === 'number') n *= d;
      else if (typeof d === 'string' && dims[d] !== undefined) n *= dims[d]!;
      else if (d === null) return 0;
    }
    try {
      return Math.ceil((n * wireBits(v.type)) / 8);
    } catch {
      return 0;
    }
  };
  const available = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  let order;
  try {
    order = topoSort(g.nodes, available, true);
  } catch {
    order = g.nodes;
  }
  const last = new Map<string, number>();
  order.forEach((n, i) => { for (const x of [...n.inputs, ...subgraphOuterRefs(n)]) if (x) last.set(x, i); });
  const keep = new Set(g.outputs.map((o) => o.name));
  let live = 0;
  let peak = 0;
  // A fused attention still materializes its [..., Sq, Sk] scores while it runs.
  const scratch = (n: Graph['nodes'][number]): number => {
    if (n.opType !== 'FusedAttention' || n.domain !== 'com.onnxflow') return 0;
    const out = values.get(n.outputs[0] ?? '');
    const kt = values.get(n.inputs[1] ?? '')?.shape;
    const sk = kt?.[kt.length - 1];
    const osz = size(n.outputs[0] ?? '');
    const dv = out?.shape?.[out.shape.length - 1];
    return typeof sk === 'number' && typeof dv === 'number' && dv > 0 ? (osz / dv) * sk : 0;
  };
  // A node with subgraphs (If/Loop/Scan) holds its body's peak while it runs; enclosing values the
  // body reads enter it as inputs with their inferred shapes.
  const bodyPeak = (n: Graph['nodes'][number]): number => {
    if (depth >= 4) return 0;
    let m = 0;
    for (const a of Object.values(n.attrs)) {
      const graphs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
      for (const sg of graphs) {
        const extra: ValueInfo[] = [...graphOuterRefs(sg)].filter((r) => !g.initializers.has(r)).map((r) => {
          const v = values.get(r);
          return { name: r, type: v?.type && !v.sequence ? { kind: 'tensor', elemType: v.type, shape: v.shape } : undefined };
        });
        const inits = new Map([...g.initializers, ...sg.initializers]);
        m = Math.max(m, estimatePeakMemory({ ...model, graph: { ...sg, inputs: [...sg.inputs, ...extra], initializers: inits } }, dims, depth + 1));
      }
    }
    return m;
  };
  order.forEach((n, i) => {
    for (const o of n.outputs) if (o && !available.has(o)) live += size(o);
    peak = Math.max(peak, live + scratch(n) + bodyPeak(n));
    for (const x of new Set(n.inputs)) if (x && !available.has(x) && !keep.has(x) && last.get(x) === i) live -= size(x);
    for (const o of n.outputs) if (o && !available.has(o) && !keep.has(o) && !last.has(o)) live -= size(o);
  });
  return peak;
}
