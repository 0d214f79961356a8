// GEGLU fusion (diffusers' FeedForward): X split in two halves along the last axis,
//   hidden * gelu(gate)  →  com.onnxflow GeGLU(X)
// The halves come from one Split (two equal outputs, last axis: hidden = output 0, gate = output 1)
// or from two Slices of X (torch's `chunk(2, dim=-1)`: [0, n/2) and [n/2, n), constant starts/ends
// once shape chains are folded). Runs after gelu-fusion; the Gelu's `approximate` carries over.

import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { FUSED_DOMAIN, type GraphIndex, type OptimizeContext, fusedName, replaceWith } from './context.js';

const ints = (t: Tensor | undefined): number[] | undefined => (t && (t.type === 'int64' || t.type === 'int32') ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined);

const attr = (n: Node, k: string): unknown => { const a = n.attrs[k]; return a && 'value' in a ? a.value : undefined; };

interface Half {
  x: string;
  /** 0: the first half, 1: the second. */
  part: 0 | 1;
  nodes: Node[];
}

/** Which half of which tensor `name` is, when it is a last-axis half made by Split or Slice. */
function halfOf(name: string, idx: GraphIndex, ctx: OptimizeContext): Half | undefined {
  const p = idx.producerOf(name);
  if (!p || !idx.singleUse(name)) return undefined;
  const x = p.inputs[0];
  if (!x) return undefined;
  const shape = ctx.shapes().get(x)?.shape;
  if (!shape || shape.length === 0) return undefined;
  const rank = shape.length;
  const n = shape[rank - 1];
  const lastAxis = (a: number) => a === -1 || a === rank - 1;
  if (p.opType === 'Split') {
    if (p.outputs.length !== 2) return undefined;
    const axis = attr(p, 'axis') as number | undefined;
    if (!lastAxis(axis ?? 0)) return undefined;
    const split = p.inputs[1] ? ints(idx.constant(p.inputs[1])) : (attr(p, 'split') as number[] | undefined);
    if (split && (split.length !== 2 || split[0] !== split[1])) return undefined;
    if (!split && typeof n !== 'number') return undefined; // equal split of an even, known size only
    if (!split && (n as number) % 2 !== 0) return undefined;
    const part = p.outputs.indexOf(name) as 0 | 1;
    // Both outputs must be read (each once) for the Split to go away with the Mul.
    const other = p.outputs[1 - part]!;
    if (!idx.singleUse(other)) return undefined;
    return { x, part, nodes: [p] };
  }
  if (p.opType === 'Slice') {
    if (typeof n !== 'number' || n % 2 !== 0 || p.inputs.length < 3) return undefined;
    const starts = ints(idx.constant(p.inputs[1]!));
    const ends = ints(idx.constant(p.inputs[2]!));
    const axes = p.inputs[3] ? ints(idx.constant(p.inputs[3])) : [rank - 1];
    const steps = p.inputs[4] ? ints(idx.constant(p.inputs[4])) : [1];
    if (!starts || !ends || !axes || !steps || starts.length !== 1 || ends.length !== 1 || axes.length !== 1 || steps[0] !== 1) return undefined;
    if (!lastAxis(axes[0]!)) return undefined;
    const h = n / 2;
    const s = starts[0]! < 0 ? starts[0]! + n : starts[0]!;
    const e = Math.min(ends[0]! < 0 ? ends[0]! + n : ends[0]!, n);
    if (s === 0 && e === h) return { x, part: 0, nodes: [p] };
    if (s === h && e === n) return { x, part: 1, nodes: [p] };
  }
  return undefined;
}

export const fuseGeGLU = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('GeGLU', FUSED_DOMAIN)) return 0;
  let changes = 0;
  for (const mul of [...g.nodes]) {
    if (mul.opType !== 'Mul' || mul.domain !== '' || mul.inputs.length !== 2 || !mul.outputs[0]) continue;
    const idx = ctx.index();
    for (let gi = 0; gi < 2; gi++) {
      const gated = mul.inputs[gi]!;
      const gelu = idx.producer.get(gated);
      if (!gelu || gelu.opType !== 'Gelu' || gelu.domain !== FUSED_DOMAIN || !idx.singleUse(gated)) continue;
      const gate = halfOf(gelu.inputs[0]!, idx, ctx);
      const hidden = halfOf(mul.inputs[1 - gi]!, idx, ctx);
      if (!gate || !hidden || gate.x !== hidden.x || gate.part !== 1 || hidden.part !== 0) continue;
      if (ctx.shapes().get(gate.x)?.type !== 'float32') continue;
      const splitters = [...new Set([...hidden.nodes, ...gate.nodes])];
      const approximate = (attr(gelu, 'approximate') as string | undefined) ?? 'none';
      const node: Node = {
        name: fusedName(mul.name || 'GeGLU'), opType: 'GeGLU', domain: FUSED_DOMAIN, inputs: [gate.x], outputs: [mul.outputs[0]],
        attrs: { approximate: { type: 'string', value: approximate } },
      };
      replaceWith(g, [...splitters, gelu, mul], node);
      ctx.changed();
      ctx.count('GeGLU');
      changes++;
      break;
    }
  }
  return changes;
};
