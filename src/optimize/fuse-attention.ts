// Attention fusion: MatMul(Q, Kt) → [Mul/Div by a scalar constant] → [Where(cond, ·, fill) or
// Where(cond, fill, ·)] → [Add mask] → Softmax over the last axis → MatMul(·, V), each intermediate
// read only by the next, → com.onnxflow FusedAttention(Q, Kt, V, mask?, cond?, fill?) with `scale`,
// `scale_op` and (with a Where) `where_keep`. Kt is whatever the graph multiplies by; when that is a
// Transpose read by nothing else (torch's k.transpose(-1, -2), often merged with the head split into
// one Transpose([0, 2, 3, 1]) of the [B, S, H, D] reshape; or a transpose of Concat(past_key, k)), the
// Transpose is absorbed: input 1 becomes its input and `k_perm` its permutation (no copy of K per
// call); so are the head-split Transposes of Q and V ([0, 2, 1, 3], any permutation keeping the last
// axis last) as `q_perm` / `v_perm`. That also applies to FusedAttention nodes already in the graph
// (from ai.onnx Attention).
// Past-KV concatenation stays outside.

import type { Graph, Node } from '../ir/graph.js';
import { FUSED_DOMAIN, type OptimizeContext, fusedName, otherInput, replaceWith, scalarConst } from './context.js';

export const fuseAttention = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('FusedAttention', FUSED_DOMAIN)) return 0;
  let changes = 0;
  const opset = ctx.model.opsets.get('') ?? 1;
  for (const out of [...g.nodes]) {
    if (out.opType !== 'MatMul' || out.domain !== '' || !out.outputs[0]) continue;
    const idx = ctx.index();
    const shapes = ctx.shapes();
    const p = out.inputs[0]!;
    const v = out.inputs[1]!;
    const sm = idx.producerOf(p, 'Softmax');
    if (!sm || !idx.singleUse(p)) continue;
    let cur = sm.inputs[0]!;
    const rank = shapes.get(cur)?.shape?.length;
    if (!rank || rank < 2 || shapes.get(cur)?.type !== 'float32') continue;
    const axis = sm.attrs.axis?.type === 'int' ? sm.attrs.axis.value : opset < 13 ? 1 : -1;
    if ((axis < 0 ? axis + rank : axis) !== rank - 1) continue;
    const nodes: Node[] = [sm, out];
    let mask: string | undefined;
    let scale = 1;
    let scaleOp = 'none';
    if (!idx.singleUse(cur)) continue;
    const addN = idx.producerOf(cur, 'Add');
    if (addN) {
      // Which side is the scores: the one coming from the scale or the first MatMul.
      let scores: string | undefined;
      for (const side of addN.inputs) {
        const pr = idx.producerOf(side);
        if (pr && ['Mul', 'Div', 'MatMul', 'Where'].includes(pr.opType) && idx.singleUse(side)) { scores = side; break; }
      }
      const m = scores !== undefined ? otherInput(addN, scores) : undefined;
      if (!scores || !m || shapes.get(m)?.type !== 'float32') continue;
      mask = m;
      nodes.push(addN);
      cur = scores;
    }
    // GPT-2's causal mask: Where(cond, scores, fill) (or Where(cond, fill, scores), as masked_fill)
    let where: { cond: string; fill: string; keep: boolean } | undefined;
    const whereN = idx.producerOf(cur, 'Where');
    if (whereN && whereN.inputs.length === 3) {
      if (!idx.singleUse(cur)) continue;
      const [c, t, f] = whereN.inputs as [string, string, string];
      const keep = t !== f && !!idx.producerOf(t) && ['Mul', 'Div', 'MatMul'].includes(idx.producerOf(t)!.opType);
      const scores = keep ? t : f;
      const fill = keep ? f : t;
      const pr = idx.producerOf(scores);
      if (!pr || !['Mul', 'Div', 'MatMul'].includes(pr.opType) || shapes.get(c)?.type !== 'bool' || shapes.get(fill)?.type !== 'float32') continue;
      where = { cond: c, fill, keep };
      nodes.push(whereN);
      cur = scores;
    }
    const scaleN = idx.producerOf(cur, 'Mul') ?? idx.producerOf(cur, 'Div');
    if (scaleN) {
      if (!idx.singleUse(cur)) continue;
      const c1 = scalarConst(idx, scaleN.inputs[1]!);
      const c0 = scaleN.opType === 'Mul' ? scalarConst(idx, scaleN.inputs[0]!) : undefined;
      const t = idx.constant(c1 !== undefined ? scaleN.inputs[1]! : scaleN.inputs[0]!);
      if ((c1 === undefined && c0 === undefined) || t?.type !== 'float32') continue;
      scale = (c1 ?? c0)!;
      scaleOp = scaleN.opType === 'Mul' ? 'mul' : 'div';
      nodes.push(scaleN);
      cur = c1 !== undefined ? scaleN.inputs[0]! : scaleN.inputs[1]!;
      if (!idx.singleUse(cur)) continue;
    }
    const qk = idx.producerOf(cur, 'MatMul');
    if (!qk || !idx.singleUse(cur) || (shapes.get(cur)?.shape?.length ?? 0) < 2) continue;
    nodes.push(qk);
    const inputs = [qk.inputs[0]!, qk.inputs[1]!, v];
    if (mask || where) inputs.push(mask ?? '');
    if (where) inputs.push(where.cond, where.fill);
    const node: Node = {
      name: fusedName(qk.name || 'FusedAttention'), opType: 'FusedAttention', domain: FUSED_DOMAIN, inputs, outputs: [out.outputs[0]],
      attrs: {
        scale: { type: 'float', value: scale }, scale_op: { type: 'string', value: scaleOp },
        ...(where ? { where_keep: { type: 'int' as const, value: where.keep ? 1 : 0 } } : {}),
      },
    };
    replaceWith(g, nodes, node);
    ctx.changed();
    ctx.count('FusedAttention');
    changes++;
  }
  return changes + absorbTransposes(g, ctx);
};

/** Input index → the attribute naming the permutation it is read through. */
const PERM_ATTR: [number, string][] = [[0, 'q_perm'], [1, 'k_perm'], [2, 'v_perm']];

/**
 * FusedAttention(Transpose(Xq, pq)?, Transpose(Xk, pk)?, Transpose(Xv, pv)?, ...) → FusedAttention(Xq,
 * Xk, Xv, ...) with `q_perm` / `k_perm` / `v_perm`, each Transpose read by nothing else. Q and V only
 * when the permutation keeps the last axis last (rows stay contiguous: torch's head split [0, 2, 1, 3]).
 */
function absorbTransposes(g: Graph, ctx: OptimizeContext): number {
  let changes = 0;
  for (const fa0 of [...g.nodes]) {
    if (fa0.opType !== 'FusedAttention' || fa0.domain !== FUSED_DOMAIN) continue;
    let fa = fa0;
    for (const [i, attr] of PERM_ATTR) {
      const x = fa.inputs[i];
      if (!x || fa.attrs[attr]) continue;
      const idx = ctx.index();
      const tr = idx.producerOf(x, 'Transpose');
      if (!tr || !tr.inputs[0] || !idx.singleUse(x)) continue;
      const rank = ctx.shapes().get(tr.inputs[0])?.shape?.length;
      let perm = tr.attrs.perm?.type === 'ints' ? tr.attrs.perm.value : undefined;
      if (!perm && rank !== undefined) perm = Array.from({ length: rank }, (_, k) => rank - 1 - k);
      if (!perm || perm.length < 2 || (rank !== undefined && rank !== perm.length)) continue;
      const r = perm.length;
      if (new Set(perm).size !== r || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= r)) continue;
      if (i !== 1 && perm[r - 1] !== r - 1) continue;
      const inputs = [...fa.inputs];
      inputs[i] = tr.inputs[0];
      const node: Node = { ...fa, inputs, attrs: { ...fa.attrs, [attr]: { type: 'ints', value: [...perm] } } };
      replaceWith(g, [tr, fa], node);
      ctx.changed();
      changes++;
      fa = node;
    }
  }
  return changes;
}
