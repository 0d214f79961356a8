// Conv fusions.
//   basic: Conv(X, W[, B]) → Add(·, b) with b a float32 constant of one value per output channel
//          ([M], [M, 1, ...] or [1, M, 1, ...] broadcasting along the channel axis only), either Add
//          order → Conv(X, W, B + b): the bias joins the Conv (standard ONNX).
//   all:   Conv → Relu / com.onnxflow SiLU / Mul(x, Sigmoid(x)) / com.onnxflow Gelu → com.onnxflow
//          FusedConv(X, W, B?) with `activation` (Conv's attributes kept).
// Every swallowed intermediate is read only by the next node and is not a graph output.

import type { Graph, Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { FUSED_DOMAIN, type GraphIndex, type OptimizeContext, fusedName, otherInput, replaceWith } from './context.js';

/** b's values when it is a float32 constant holding one value per channel of an [N, M, ...spatial] output. */
function channelBias(t: Tensor | undefined, M: number, outRank: number): Float32Array | undefined {
  if (!t || t.type !== 'float32' || t.size !== M || t.rank > outRank) return undefined;
  // Right-aligned against [N, M, s1, ..., sk]: the M must sit on the channel axis, every other dim 1.
  const d = t.dims;
  const chAxis = d.length - (outRank - 1); // index in d of the channel axis
  if (M === 1) return d.every((x) => x === 1) ? (t.data as Float32Array) : undefined;
  if (chAxis < 0 || d[chAxis] !== M) return undefined;
  return d.every((x, i) => i === chAxis || x === 1) ? (t.data as Float32Array) : undefined;
}

let biasCounter = 0;

export const foldConvBias = (g: Graph, ctx: OptimizeContext): number => {
  let changes = 0;
  for (const conv of [...g.nodes]) {
    if (conv.opType !== 'Conv' || conv.domain !== '' || !conv.outputs[0]) continue;
    const idx = ctx.index();
    const y = conv.outputs[0];
    const add = idx.soleReader(y);
    if (!add || add.opType !== 'Add' || add.domain !== '' || !add.outputs[0]) continue;
    const bName = otherInput(add, y);
    if (!bName || bName === y) continue;
    const w = idx.constant(conv.inputs[1] ?? '');
    const shape = ctx.shapes().get(y);
    const M = w?.dims[0] ?? (typeof shape?.shape?.[1] === 'number' ? shape.shape[1] : undefined);
    const outRank = shape?.shape?.length ?? w?.rank;
    if (shape?.type !== 'float32' || M === undefined || outRank === undefined || outRank < 3) continue;
    const b = channelBias(idx.constant(bName), M, outRank);
    if (!b) continue;
    const old = conv.inputs[2] ? idx.constant(conv.inputs[2]) : undefined;
    if (conv.inputs[2] && (!old || old.type !== 'float32' || old.size !== M)) continue;
    let biasName = bName;
    if (old || b.length !== M || idx.constant(bName)!.rank !== 1) {
      const sum = new Float32Array(M);
      const o = old?.data as Float32Array | undefined;
      for (let m = 0; m < M; m++) sum[m] = (o ? o[m]! : 0) + b[m]!;
      do biasName = `${conv.outputs[0]}_bias_${++biasCounter}`; while (g.initializers.has(biasName) || idx.producer.has(biasName) || idx.graphInputs.has(biasName));
      g.initializers.set(biasName, new Tensor('float32', sum, [M]));
    }
    replaceWith(g, [conv, add], { ...conv, inputs: [conv.inputs[0]!, conv.inputs[1]!, biasName], outputs: [add.outputs[0]] });
    ctx.changed();
    ctx.count('Conv+Bias');
    changes++;
  }
  return changes;
};

/** The activation reading only the conv's output `y`, as FusedConv attributes and the nodes it covers. */
function activationAfter(idx: GraphIndex, y: string): { nodes: Node[]; out: string; name: string; approximate?: string } | undefined {
  if (idx.graphOutputs.has(y) || idx.subgraphRefs.has(y)) return undefined;
  const readers = idx.readers.get(y) ?? [];
  if (readers.length === 1) {
    const act = readers[0]!;
    if (act.inputs[0] !== y || !act.outputs[0]) return undefined;
    if (act.domain === '' && act.opType === 'Relu') return { nodes: [act], out: act.outputs[0], name: 'Relu' };
    if (act.domain === FUSED_DOMAIN && act.opType === 'SiLU') return { nodes: [act], out: act.outputs[0], name: 'SiLU' };
    if (act.domain === FUSED_DOMAIN && act.opType === 'Gelu') {
      const approximate = act.attrs.approximate?.type === 'string' ? act.attrs.approximate.value : 'none';
      return { nodes: [act], out: act.outputs[0], name: 'Gelu', approximate };
    }
    return undefined;
  }
  // Mul(y, Sigmoid(y)) left unfused (a backend without the SiLU kernel): y read by both.
  if (readers.length !== 2) return undefined;
  const sig = readers.find((r) => r.domain === '' && r.opType === 'Sigmoid');
  const mul = readers.find((r) => r.domain === '' && r.opType === 'Mul');
  if (!sig || !mul || !sig.outputs[0] || !mul.outputs[0] || !idx.singleUse(sig.outputs[0])) return undefined;
  if (otherInput(mul, y) !== sig.outputs[0]) return undefined;
  return { nodes: [sig, mul], out: mul.outputs[0], name: 'SiLU' };
}

export const fuseConvActivation = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('FusedConv', FUSED_DOMAIN)) return 0;
  let changes = 0;
  for (const conv of [...g.nodes]) {
    if (conv.opType !== 'Conv' || conv.domain !== '' || !conv.outputs[0]) continue;
    const idx = ctx.index();
    if (ctx.shapes().get(conv.inputs[0] ?? '')?.type !== 'float32') continue;
    const act = activationAfter(idx, conv.outputs[0]);
    if (!act) continue;
    const node: Node = {
      name: fusedName(conv.name || 'FusedConv'), opType: 'FusedConv', domain: FUSED_DOMAIN, inputs: [...conv.inputs], outputs: [act.out],
      attrs: {
        ...conv.attrs, activation: { type: 'string', value: act.name },
        ...(act.name === 'Gelu' ? { gelu_approximate: { type: 'string' as const, value: act.approximate ?? 'none' } } : {}),
      },
    };
    replaceWith(g, [conv, ...act.nodes], node);
    ctx.changed();
    ctx.count(`FusedConv+${act.name}`);
    changes++;
  }
  return changes;
};
