// Residual fusion (level all): Add(P, R) where P is the output of a com.onnxflow FusedGemm, a
// com.onnxflow FusedConv or an ai.onnx Conv that nothing else reads, and R has P's shape (float32,
// every dim equal: the same number or the same symbolic name, which shape inference binds to one
// size; no broadcasting) → the product with R as its 4th input, `residual`, added
// after the activation in the product's epilogue (a Conv becomes a FusedConv with no activation).
// The output is computed with the same roundings as the Add it replaces. Runs after skip-layernorm
// fusion, which takes an Add feeding a LayerNormalization first. A transformer's output projections and
// a ResNet block's second convolution then write `x + f(x)` while their tile is in cache instead of
// reading both operands back in a separate node.

import type { Dim, Graph, Node } from '../ir/graph.js';
import { FUSED_DOMAIN, type OptimizeContext, otherInput, replaceWith } from './context.js';

const sameShape = (a: Dim[] | undefined, b: Dim[] | undefined) =>
  !!a && !!b && a.length === b.length && a.every((d, i) => d !== undefined && d !== null && d === b[i]);

export const fuseResidual = (g: Graph, ctx: OptimizeContext): number => {
  let changes = 0;
  for (const add of [...g.nodes]) {
    if (add.opType !== 'Add' || add.domain !== '' || add.inputs.length !== 2 || !add.outputs[0]) continue;
    const idx = ctx.index();
    for (const p of add.inputs) {
      const prod = p ? idx.producer.get(p) : undefined;
      if (!prod || !p || !idx.singleUse(p) || prod.outputs.length !== 1) continue;
      const gemm = prod.opType === 'FusedGemm' && prod.domain === FUSED_DOMAIN;
      const conv = (prod.opType === 'Conv' && prod.domain === '') || (prod.opType === 'FusedConv' && prod.domain === FUSED_DOMAIN);
      if ((!gemm && !conv) || prod.inputs[3]) continue;
      const op = gemm ? 'FusedGemm' : 'FusedConv';
      if (!ctx.canRun(op, FUSED_DOMAIN)) continue;
      const r = otherInput(add, p);
      if (!r || r === p) continue;
      const shapes = ctx.shapes();
      const ps = shapes.get(p), rs = shapes.get(r), os = shapes.get(add.outputs[0]);
      if (ps?.type !== 'float32' || rs?.type !== 'float32' || !sameShape(ps.shape, rs.shape) || !sameShape(ps.shape, os?.shape)) continue;
      const inputs = [...prod.inputs];
      while (inputs.length < 3) inputs.push('');
      inputs[3] = r;
      const node: Node = { ...prod, opType: op, domain: FUSED_DOMAIN, inputs, outputs: [add.outputs[0]] };
      replaceWith(g, [prod, add], node);
      ctx.changed();
      ctx.count(`${op}+Residual`);
      changes++;
      break;
    }
  }
  return changes;
};
