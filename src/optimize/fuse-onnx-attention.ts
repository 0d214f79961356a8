// ai.onnx Attention (opset 23+) → com.onnxflow FusedAttention, so that one fused op (and one native
// mapping of it) serves exported subgraphs and the standard op alike. Rewritten when the node maps:
// float32 Q/K/V, no nonpad_kv_seqlen, no softcap or attention windows, no qk_matmul_output, and
// is_causal with a KV cache only when the new keys are as many as the queries (FusedAttention's
// bottom-right is_causal 2, the offset Attention uses there). 4-D inputs read K
// through a Transpose([0, 1, 3, 2]); 3-D inputs are split into heads with Reshape/Transpose (and Y
// merged back). past_key/past_value become Concats along the sequence axis (their outputs are
// present_key/present_value; present outputs without a cache are the inputs in head layout).
// Grouped-query attention (fewer KV heads than query heads) runs as [B, Hkv, G, S, D] products (K
// and V with a size-1 group axis that matmul broadcasts, a per-head mask reshaped alike), which needs
// numeric head sizes. `scale` (default 1/√head_size) becomes scale_op 'mul'; is_causal carries over
// (upper-left aligned, as Attention without a cache); a bool attn_mask becomes the Where condition
// (fill -inf), a float one the additive mask; `masked_row_zero` keeps Attention's zeros for fully
// masked rows. The mask's last dim must be the total key length (Attention also allows a shorter,
// padded mask). A backend with an Attention kernel of its own (not the cpu one) keeps the plain
// nodes (Q, K, V in, only Y out) for it.

import { cpuBackend } from '../backends/cpu/index.js';
import type { AttrValue, Dim, Graph, Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { FUSED_DOMAIN, type OptimizeContext, fusedName, replaceWith } from './context.js';

const int = (n: Node, k: string, d: number): number => (n.attrs[k]?.type === 'int' ? (n.attrs[k] as { value: number }).value : d);
const float = (n: Node, k: string): number | undefined => (n.attrs[k]?.type === 'float' ? (n.attrs[k] as { value: number }).value : undefined);

let counter = 0;

export const fuseOnnxAttention = (g: Graph, ctx: OptimizeContext): number => {
  if (!ctx.canRun('FusedAttention', FUSED_DOMAIN)) return 0;
  const opset = ctx.model.opsets.get('') ?? 1;
  if (opset < 23) return 0;
  // A backend with an Attention kernel of its own keeps the plain case (Q, K, V in, Y out) for it;
  // masks, caches and present outputs still become the fused op, which every backend maps.
  const ownKernel = ctx.backend !== undefined && ctx.backend.getKernel('Attention', '', opset) !== cpuBackend.getKernel('Attention', '', opset);
  // Names for the new values: not yet used anywhere in the graph.
  const used = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  const fresh = (base: string): string => {
    let name: string;
    do name = `${base}_${++counter}`; while (used.has(name));
    used.add(name);
    return name;
  };
  const constant = (base: string, t: Tensor): string => {
    const name = fresh(base);
    g.initializers.set(name, t);
    return name;
  };
  const i64 = (base: string, v: number[]) => constant(base, new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]));
  let changes = 0;
  for (const att of [...g.nodes]) {
    if (att.opType !== 'Attention' || att.domain !== '' || !att.outputs[0]) continue;
    if (att.inputs[6] || att.outputs[3]) continue;
    if (ownKernel && att.inputs.slice(3).every((x) => !x) && att.outputs.slice(1).every((x) => !x)) continue;
    if ((float(att, 'softcap') ?? 0) !== 0 || int(att, 'left_window_size', -1) >= 0 || int(att, 'right_window_size', -1) >= 0) continue;
    const causal = int(att, 'is_causal', 0) !== 0;
    const shapes = ctx.shapes();
    const [qn, kn, vn] = att.inputs as [string, string, string];
    const mn = att.inputs[3] || undefined;
    const pk = att.inputs[4] || undefined, pv = att.inputs[5] || undefined;
    if (!pk !== !pv) continue;
    const q = shapes.get(qn), k = shapes.get(kn), v = shapes.get(vn);
    if (q?.type !== 'float32' || k?.type !== 'float32' || v?.type !== 'float32' || !q.shape || !k.shape || !v.shape) continue;
    const rank = q.shape.length;
    if ((rank !== 3 && rank !== 4) || k.shape.length !== rank || v.shape.length !== rank) continue;
    let D: Dim, Dv: Dim, Skv: Dim;
    let Hq: number, Hkv: number;
    if (rank === 4) {
      const [hq, hk, hv] = [q.shape[1], k.shape[1], v.shape[1]];
      if (typeof hq !== 'number' || typeof hk !== 'number' || hk !== hv) continue;
      [Hq, Hkv] = [hq, hk];
      D = q.shape[3]!;
      Dv = v.shape[3]!;
      Skv = k.shape[2]!;
    } else {
      [Hq, Hkv] = [int(att, 'q_num_heads', 0), int(att, 'kv_num_heads', 0)];
      const [hq, hk, hv] = [q.shape[2], k.shape[2], v.shape[2]];
      if (Hq <= 0 || Hkv <= 0 || typeof hq !== 'number' || typeof hk !== 'number' || typeof hv !== 'number') continue;
      if (hq % Hq || hk % Hkv || hv % Hkv || hq / Hq !== hk / Hkv) continue;
      D = hq / Hq;
      Dv = hv / Hkv;
      Skv = k.shape[1]!;
    }
    if (Hkv <= 0 || Hq % Hkv) continue;
    // With a cache, Attention's causal mask lets query i see keys up to past + i: bottom-right
    // aligned (is_causal 2) when the new keys are as many as the queries.
    const Sq = q.shape[rank - 2]!;
    if (pk && causal && (Sq === null || Sq !== Skv)) continue;
    // Total key length: the cache's plus the new keys'.
    let T: Dim = Skv;
    if (pk) {
      const p = shapes.get(pk), pvs = shapes.get(pv!);
      if (p?.type !== 'float32' || pvs?.type !== 'float32' || p.shape?.length !== 4 || pvs.shape?.length !== 4) continue;
      const P = p.shape[2];
      T = typeof P === 'number' && typeof Skv === 'number' ? P + Skv : null;
    }
    // In head layout (K, V as [B, Hkv, T, D]) when there is a cache or a present output to give.
    const headLayout = rank === 4 || !!pk || !!att.outputs[1] || !!att.outputs[2];
    const G = Hq / Hkv;
    // Reshapes need the head sizes as numbers: grouped-query attention, 3-D inputs (always numbers).
    if (G > 1 && (typeof D !== 'number' || typeof Dv !== 'number')) continue;
    const given = float(att, 'scale');
    if (given === undefined && typeof D !== 'number') continue;
    const scale = given ?? 1 / Math.sqrt(D as number);
    let maskKind: 'none' | 'bool' | 'float' = 'none';
    /** The Reshape target a GQA mask needs ([..., Hq, S, T] → [..., Hkv, G, S, T]), if any. */
    let maskTarget: number[] | undefined;
    if (mn) {
      const m = shapes.get(mn);
      if (!m?.shape || m.shape.length < 1 || m.shape.length > 4 || T === null || m.shape[m.shape.length - 1] !== T) continue;
      if (m.type === 'bool') maskKind = 'bool';
      else if (m.type === 'float32') maskKind = 'float';
      else continue;
      const r = m.shape.length;
      if (G > 1 && r >= 3) {
        const h = m.shape[r - 3];
        if (typeof T !== 'number') continue;
        if (r === 4 && h === 1) maskTarget = [0, 1, 1, -1, T];
        else if (r === 4 && h === Hq) maskTarget = [0, Hkv, G, -1, T];
        else if (r === 3 && h === Hq) maskTarget = [Hkv, G, -1, T];
        else if (h !== 1) continue;
      }
    }

    // Checks done: build the replacement.
    const base = att.name || att.outputs[0];
    const nodes: Node[] = [];
    const add = (opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string => {
      const o = out || fresh(`${base}_${opType.toLowerCase()}`);
      nodes.push({ name: fusedName(`${base}_${opType}`), opType, domain: '', inputs, outputs: [o], attrs });
      return o;
    };
    const perm = (p: number[]): Record<string, AttrValue> => ({ perm: { type: 'ints', value: p } });
    const reshape = (x: string, what: string, to: number[]) => add('Reshape', [x, i64(`${base}_${what}_shape`, to)]);
    const d = D as number, dv = Dv as number;
    let Kt: string, V: string;
    if (headLayout) {
      // K, V as [B, Hkv, T, D]: the inputs (4-D) or split into heads (3-D), after the cache.
      const heads = (x: string, what: string, size: number, out: string | undefined, past: string | undefined): string => {
        let h = x;
        if (rank === 3) h = add('Transpose', [reshape(x, what, [0, 0, Hkv, size])], perm([0, 2, 1, 3]), past ? undefined : out);
        else if (!past && out) h = add('Identity', [x], {}, out);
        return past ? add('Concat', [past, h], { axis: { type: 'int', value: 2 } }, out) : h;
      };
      const K4 = heads(kn, 'k', d, att.outputs[1], pk);
      const V4 = heads(vn, 'v', dv, att.outputs[2], pv);
      if (G === 1) {
        Kt = add('Transpose', [K4], perm([0, 1, 3, 2]));
        V = V4;
      } else {
        Kt = add('Transpose', [reshape(K4, 'k_groups', [0, Hkv, 1, -1, d])], perm([0, 1, 2, 4, 3]));
        V = reshape(V4, 'v_groups', [0, Hkv, 1, -1, dv]);
      }
    } else if (G === 1) {
      Kt = add('Transpose', [reshape(kn, 'k', [0, 0, Hkv, d])], perm([0, 2, 3, 1]));
      V = add('Transpose', [reshape(vn, 'v', [0, 0, Hkv, dv])], perm([0, 2, 1, 3]));
    } else {
      Kt = add('Transpose', [reshape(kn, 'k', [0, 0, Hkv, 1, d])], perm([0, 2, 3, 4, 1]));
      V = add('Transpose', [reshape(vn, 'v', [0, 0, Hkv, 1, dv])], perm([0, 2, 3, 1, 4]));
    }
    // Q as [B, Hq, Sq, D], or [B, Hkv, G, Sq, D] for grouped-query attention.
    let Q = qn;
    if (rank === 4 && G > 1) Q = reshape(qn, 'q', [0, Hkv, G, -1, d]);
    else if (rank === 3 && G === 1) Q = add('Transpose', [reshape(qn, 'q', [0, 0, Hq, d])], perm([0, 2, 1, 3]));
    else if (rank === 3) Q = add('Transpose', [reshape(qn, 'q', [0, 0, Hkv, G, d])], perm([0, 2, 3, 1, 4]));
    let mask = mn;
    if (mask && maskTarget) mask = reshape(mask, 'mask', maskTarget);
    const maskIn = maskKind === 'float' ? [mask!] : maskKind === 'bool' ? ['', mask!, constant(`${base}_mask_fill`, new Tensor('float32', [-Infinity], []))] : [];
    const y = att.outputs[0];
    const out = rank === 4 && G === 1 ? y : fresh(`${base}_attn`);
    nodes.push({
      name: fusedName(att.name || 'FusedAttention'), opType: 'FusedAttention', domain: FUSED_DOMAIN, inputs: [Q, Kt, V, ...maskIn], outputs: [out],
      attrs: {
        scale: { type: 'float', value: scale }, scale_op: { type: 'string', value: 'mul' }, masked_row_zero: { type: 'int', value: 1 },
        ...(causal ? { is_causal: { type: 'int' as const, value: pk ? 2 : 1 } } : {}),
        ...(maskKind === 'bool' ? { where_keep: { type: 'int' as const, value: 1 } } : {}),
      },
    });
    // Back to Attention's layout: [B, Hq, Sq, Dv] (4-D) or [B, Sq, Hq * Dv] (3-D).
    if (rank === 3 && G === 1) add('Reshape', [add('Transpose', [out], perm([0, 2, 1, 3])), i64(`${base}_y_shape`, [0, 0, Hq * dv])], {}, y);
    else if (rank === 4 && G > 1) add('Reshape', [out, i64(`${base}_y_shape`, [0, Hq, -1, dv])], {}, y);
    else if (rank === 3) add('Reshape', [add('Transpose', [out], perm([0, 3, 1, 2, 4])), i64(`${base}_y_shape`, [0, 0, Hq * dv])], {}, y);
    // replaceWith puts one node where Attention was; the rest follow it (the optimizer sorts at the end).
    replaceWith(g, [att], nodes[0]!);
    g.nodes.splice(g.nodes.indexOf(nodes[0]!) + 1, 0, ...nodes.slice(1));
    ctx.changed();
    ctx.count('FusedAttention(Attention)');
    changes++;
  }
  return changes;
};
