// Linear fusion: Add(MatMul(A, W), bias) with W a constant float32 matrix and bias a constant of W's
// column count (either Add order) → com.onnxflow FusedGemm(A, W, bias); then a Relu, com.onnxflow
// Gelu or com.onnxflow SiLU reading only its output becomes the FusedGemm's `activation` epilogue.

import type { AttrValue, Graph, Node } from '../ir/graph.js';
import { FUSED_DOMAIN, type OptimizeContext, fusedName, otherInput, replaceWith } from './context.js';

export const fuseGemm = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('FusedGemm', FUSED_DOMAIN)) return 0;
  let changes = 0;
  for (const add of [...g.nodes]) {
    if (add.opType !== 'Add' || add.domain !== '' || add.inputs.length !== 2 || !add.outputs[0]) continue;
    const idx = ctx.index();
    for (const mm of add.inputs) {
      const mat = idx.producerOf(mm, 'MatMul');
      if (!mat || !idx.singleUse(mm)) continue;
      const biasName = otherInput(add, mm)!;
      const w = idx.constant(mat.inputs[1]!);
      const bias = idx.constant(biasName);
      if (!w || !bias || w.type !== 'float32' || bias.type !== 'float32' || w.rank !== 2) continue;
      if (bias.rank !== 1 || bias.size !== w.dims[1]) continue;
      const a = ctx.shapes().get(mat.inputs[0]!);
      if (a?.type !== 'float32' || !a.shape || a.shape.length < 2) continue;
      const node: Node = { name: fusedName(mat.name || 'FusedGemm'), opType: 'FusedGemm', domain: FUSED_DOMAIN, inputs: [mat.inputs[0]!, mat.inputs[1]!, biasName], outputs: [add.outputs[0]], attrs: {} };
      replaceWith(g, [mat, add], node);
      ctx.changed();
      ctx.count('FusedGemm');
      changes++;
      break;
    }
  }
  return changes;
};

/** A Relu / com.onnxflow Gelu / com.onnxflow SiLU reading only a FusedGemm's output becomes its epilogue. */
export const fuseGemmActivation = (g: Graph, ctx: OptimizeContext): number => {
  let changes = 0;
  for (const gemm of [...g.nodes]) {
    // (a residual, FusedGemm's 4th input, is added after the activation: one cannot come after it)
    if (gemm.opType !== 'FusedGemm' || gemm.domain !== FUSED_DOMAIN || gemm.attrs.activation || gemm.inputs[3]) continue;
    const idx = ctx.index();
    const act = idx.soleReader(gemm.outputs[0]!);
    if (!act || act.inputs[0] !== gemm.outputs[0] || !act.outputs[0]) continue;
    let name: string | undefined;
    let approximate = 'none';
    if (act.domain === '' && act.opType === 'Relu') name = 'Relu';
    else if (act.domain === FUSED_DOMAIN && act.opType === 'SiLU') name = 'SiLU';
    else if (act.domain === FUSED_DOMAIN && act.opType === 'Gelu') {
      name = 'Gelu';
      approximate = act.attrs.approximate?.type === 'string' ? act.attrs.approximate.value : 'none';
    }
    let alpha: AttrValue | undefined;
    if (act.domain === FUSED_DOMAIN && act.opType === 'QuickGelu') {
      name = 'QuickGelu';
      alpha = act.attrs.alpha ?? { type: 'float', value: 1.702 };
    }
    if (!name) continue;
    const node: Node = {
      ...gemm,
      outputs: [act.outputs[0]],
      attrs: {
        ...gemm.attrs, activation: { type: 'string', value: name },
        ...(name === 'Gelu' ? { gelu_approximate: { type: 'string', value: approximate } } : {}),
        ...(alpha ? { alpha } : {}),
      },
    };
    replaceWith(g, [gemm, act], node);
    ctx.changed();
    ctx.count(`FusedGemm+${name}`);
    changes++;
  }
  return changes;
};
