// Transposes folded into matrix products.
//   basic:    Gemm(Transpose(A, [1, 0]), B, C) → Gemm(A, B, C) with transA toggled (likewise B):
//             standard ONNX, 2-D only as Gemm is.
//   extended: MatMul(Transpose(A, perm swapping only the last two axes), B) (or B transposed; after
//             gemm-fusion, a FusedGemm's operands too) → com.onnxflow FusedGemm(A, B) with `transA` /
//             `transB` 1, e.g. attention's K^T where attention fusion did not take it. The Transpose
//             stays while anything else reads it (dead-code elimination drops it otherwise).
// Constant folding leaves such a Transpose of a shared weight to these passes (constant-fold.ts,
// `transposeAbsorbed`): the product reads the one weight with transB instead of a transposed copy.

import type { Graph, Node } from '../ir/graph.js';
import { FUSED_DOMAIN, type GraphIndex, type OptimizeContext, fusedName, replaceWith } from './context.js';

/** The Transpose producing `value` when it swaps exactly the last two of its input's axes; its input. */
export function lastTwoSwap(idx: GraphIndex, ctx: OptimizeContext, value: string): string | undefined {
  const t = idx.producerOf(value, 'Transpose');
  if (!t || !t.inputs[0] || idx.subgraphRefs.has(value)) return undefined;
  const rank = ctx.shapes().get(t.inputs[0])?.shape?.length;
  const perm = t.attrs.perm?.type === 'ints' ? t.attrs.perm.value : undefined;
  const r = perm ? perm.length : rank;
  if (r === undefined || r < 2 || (rank !== undefined && rank !== r)) return undefined;
  const want = perm ? perm.every((p, i) => p === (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)) : r === 2;
  return want ? t.inputs[0] : undefined;
}

export const flag = (n: Node, name: string): number => (n.attrs[name]?.type === 'int' ? (n.attrs[name] as { value: number }).value : 0);

/** Gemm reading a 2-D Transpose ([1, 0]) as A or B → the Transpose's input with transA / transB toggled. */
export const foldTransposeIntoGemm = (g: Graph, ctx: OptimizeContext): number => {
  let changes = 0;
  for (const gemm of g.nodes) {
    if (gemm.opType !== 'Gemm' || gemm.domain !== '') continue;
    for (const [slot, attr] of [[0, 'transA'], [1, 'transB']] as const) {
      const idx = ctx.index();
      const v = gemm.inputs[slot];
      if (!v) continue;
      const src = lastTwoSwap(idx, ctx, v);
      if (!src || ctx.shapes().get(src)?.shape?.length !== 2) continue;
      gemm.inputs[slot] = src;
      gemm.attrs = { ...gemm.attrs, [attr]: { type: 'int', value: flag(gemm, attr) ? 0 : 1 } };
      ctx.changed();
      changes++;
    }
  }
  if (changes) ctx.count('Gemm+Transpose', changes);
  return changes;
};

/** MatMul / FusedGemm reading a last-two-axes Transpose → FusedGemm with transA / transB. */
export const fuseTransposeMatMul = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('FusedGemm', FUSED_DOMAIN)) return 0;
  let changes = 0;
  for (const mm of [...g.nodes]) {
    const isMatMul = mm.opType === 'MatMul' && mm.domain === '';
    const isFused = mm.opType === 'FusedGemm' && mm.domain === FUSED_DOMAIN;
    if ((!isMatMul && !isFused) || !mm.outputs[0] || mm.inputs.length < 2) continue;
    const idx = ctx.index();
    const shapes = ctx.shapes();
    const inputs = [...mm.inputs];
    const attrs = { ...mm.attrs };
    let folded = 0;
    for (const [slot, attr] of [[0, 'transA'], [1, 'transB']] as const) {
      if (flag(mm, attr)) continue;
      const src = lastTwoSwap(idx, ctx, inputs[slot]!);
      if (!src || shapes.get(src)?.type !== 'float32') continue;
      inputs[slot] = src;
      attrs[attr] = { type: 'int', value: 1 };
      folded++;
    }
    if (!folded) continue;
    // FusedGemm computes in float32 only: both operands must be float32 (MatMul's rule: same type).
    if (shapes.get(mm.inputs[0]!)?.type !== 'float32' || shapes.get(mm.inputs[1]!)?.type !== 'float32') continue;
    const node: Node = isFused
      ? { ...mm, inputs, attrs }
      : { name: fusedName(mm.name || 'FusedGemm'), opType: 'FusedGemm', domain: FUSED_DOMAIN, inputs, outputs: [...mm.outputs], attrs };
    replaceWith(g, [mm], node);
    ctx.changed();
    ctx.count('FusedGemm+Transpose', folded);
    changes++;
  }
  return changes;
};
