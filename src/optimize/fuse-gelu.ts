// GELU fusion: the exported erf form x * 0.5 * (1 + erf(x / sqrt 2)) and the tanh form
// 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))), in the operand orders exporters emit,
// → com.onnxflow Gelu(x) with `approximate` 'none' or 'tanh'. The ONNX Gelu op (opset 20, what newer
// exporters emit instead of the pattern) becomes the same node, so the GEMM / conv / GeGLU fusions
// that take a com.onnxflow Gelu apply to both.

import type { Graph, Node } from '../ir/graph.js';
import { FUSED_DOMAIN, type GraphIndex, type OptimizeContext, fusedName, near, otherInput, replaceWith, scalarConst } from './context.js';

const FLOATS = new Set(['float32', 'float64', 'float16']);

/** `name` = op(x, c) with c a scalar constant near `value` (either order for commutative ops). */
function byConst(idx: GraphIndex, name: string, op: string, value: number): { node: Node; x: string } | undefined {
  const n = idx.producerOf(name, op);
  if (!n || n.inputs.length !== 2) return undefined;
  if (near(scalarConst(idx, n.inputs[1]!), value)) return { node: n, x: n.inputs[0]! };
  if ((op === 'Mul' || op === 'Add') && near(scalarConst(idx, n.inputs[0]!), value)) return { node: n, x: n.inputs[1]! };
  return undefined;
}

/** Matches the core `1 + f(x)` (value `a`): returns x, the approximation and the core nodes. */
function core(idx: GraphIndex, a: string): { x: string; approximate: 'none' | 'tanh'; nodes: Node[] } | undefined {
  const add = byConst(idx, a, 'Add', 1);
  if (!add || !idx.singleUse(add.x)) return undefined;
  const erf = idx.producerOf(add.x, 'Erf');
  if (erf) {
    const d = erf.inputs[0]!;
    if (!idx.singleUse(d)) return undefined;
    const m = byConst(idx, d, 'Div', Math.SQRT2) ?? byConst(idx, d, 'Mul', Math.SQRT1_2);
    if (!m) return undefined;
    return { x: m.x, approximate: 'none', nodes: [m.node, erf, add.node] };
  }
  const tanh = idx.producerOf(add.x, 'Tanh');
  if (!tanh) return undefined;
  const u = tanh.inputs[0]!;
  if (!idx.singleUse(u)) return undefined;
  const scaled = byConst(idx, u, 'Mul', Math.sqrt(2 / Math.PI));
  if (!scaled || !idx.singleUse(scaled.x)) return undefined;
  const inner = idx.producerOf(scaled.x, 'Add');
  if (!inner) return undefined;
  for (const w of inner.inputs) {
    const x = otherInput(inner, w);
    if (!x || !idx.singleUse(w)) continue;
    const cubic = byConst(idx, w, 'Mul', 0.044715);
    if (!cubic || !idx.singleUse(cubic.x)) continue;
    const pow = idx.producerOf(cubic.x, 'Pow');
    if (pow && pow.inputs[0] === x && near(scalarConst(idx, pow.inputs[1]!), 3)) {
      return { x, approximate: 'tanh', nodes: [pow, cubic.node, inner, scaled.node, tanh, add.node] };
    }
    // x * x * x as Mul(Mul(x, x), x)
    const m2 = idx.producerOf(cubic.x, 'Mul');
    if (m2 && otherInput(m2, x) !== undefined) {
      const sq = otherInput(m2, x)!;
      const m1 = idx.producerOf(sq, 'Mul');
      if (m1 && idx.singleUse(sq) && m1.inputs[0] === x && m1.inputs[1] === x) {
        return { x, approximate: 'tanh', nodes: [m1, m2, cubic.node, inner, scaled.node, tanh, add.node] };
      }
    }
  }
  return undefined;
}

export const fuseGelu = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('Gelu', FUSED_DOMAIN)) return 0;
  let changes = 0;
  for (const last of [...g.nodes]) {
    if (last.opType !== 'Mul' || last.domain !== '' || last.inputs.length !== 2 || !g.nodes.includes(last)) continue;
    const idx = ctx.index();
    let found: { x: string; approximate: 'none' | 'tanh'; nodes: Node[] } | undefined;
    for (const side of last.inputs) {
      const other = otherInput(last, side)!;
      // (x * (1 + f)) * 0.5
      if (near(scalarConst(idx, other), 0.5) && idx.singleUse(side)) {
        const m = idx.producerOf(side, 'Mul');
        if (m) {
          for (const a of m.inputs) {
            const c = idx.singleUse(a) ? core(idx, a) : undefined;
            if (c && otherInput(m, a) === c.x) { found = { ...c, nodes: [...c.nodes, m] }; break; }
          }
        }
      }
      if (found) break;
      // x * ((1 + f) * 0.5)   or   (x * 0.5) * (1 + f)
      if (idx.singleUse(side)) {
        const half = byConst(idx, side, 'Mul', 0.5);
        if (half && idx.singleUse(half.x)) {
          const c = core(idx, half.x);
          if (c && other === c.x) { found = { ...c, nodes: [...c.nodes, half.node] }; break; }
        }
        const c = core(idx, side);
        const h = c && idx.singleUse(other) ? byConst(idx, other, 'Mul', 0.5) : undefined;
        if (c && h && h.x === c.x) { found = { ...c, nodes: [...c.nodes, h.node] }; break; }
      }
    }
    if (!found || !FLOATS.has(ctx.shapes().get(found.x)?.type ?? '')) continue;
    toFusedGelu(g, ctx, [...found.nodes, last], found.x, found.approximate);
    changes++;
  }
  for (const op of [...g.nodes]) {
    if (op.opType !== 'Gelu' || op.domain !== '' || op.inputs.length !== 1) continue;
    const a = op.attrs.approximate;
    const approximate = a === undefined ? 'none' : a.type === 'string' ? a.value : undefined;
    if ((approximate !== 'none' && approximate !== 'tanh') || !FLOATS.has(ctx.shapes().get(op.inputs[0]!)?.type ?? '')) continue;
    toFusedGelu(g, ctx, [op], op.inputs[0]!, approximate);
    changes++;
  }
  return changes;
};

/** Replace `matched` (its last node writes the result) with com.onnxflow Gelu(x). */
function toFusedGelu(g: Graph, ctx: OptimizeContext, matched: Node[], x: string, approximate: 'none' | 'tanh'): void {
  const last = matched[matched.length - 1]!;
  const node: Node = { name: fusedName(last.name || 'Gelu'), opType: 'Gelu', domain: FUSED_DOMAIN, inputs: [x], outputs: [last.outputs[0]!], attrs: { approximate: { type: 'string', value: approximate } } };
  replaceWith(g, matched, node);
  ctx.changed();
  ctx.count(approximate === 'tanh' ? 'Gelu(tanh)' : 'Gelu');
}
