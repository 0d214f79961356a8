// The Transpose that makes attention's K^T is absorbed into FusedAttention (src/optimize/fuse-attention.ts):
// input 1 becomes the Transpose's input and `k_perm` its permutation. Covers k.transpose(-1, -2),
// torch's merged head split Transpose([0, 2, 3, 1]) of the [B, S, H, D] reshape, the 3-D [0, 2, 1]
// form, the head splits of Q and V (`q_perm` / `v_perm`, only permutations keeping the last axis last),
// and the cases left alone (the Transpose read elsewhere or a graph output). Outputs match the
// unoptimized graph and onnxruntime-node within 1e-4; the shape rule gives the right output shape.
import { describe, expect, it } from 'vitest';
import { expectElementwiseClose } from '../helpers/close.js';
import { intsAttr, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { inferShapes } from '../../src/ir/shape/infer.js';
import { randomFloats } from '../helpers/rng.js';
import { runOrt } from '../helpers/ort.js';

const f32 = (dims: number[], seed: number, scale = 1) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed, scale), dims);

/** MatMul(q, Transpose(k, perm)) → Mul(1/√D) → Softmax → MatMul(·, v), with `extra` nodes appended. */
function build(qDims: number[], kDims: number[], vDims: number[], perm: number[] | undefined, outDims: number[], extra: Node[] = [], extraOut: string[] = []): Model {
  const D = qDims[qDims.length - 1]!;
  const nodes = [
    makeNode('Transpose', ['k'], ['kt'], perm ? { perm: intsAttr(perm) } : {}),
    makeNode('MatMul', ['q', 'kt'], ['s']),
    makeNode('Mul', ['s', 'scale'], ['ss']),
    makeNode('Softmax', ['ss'], ['p'], { axis: -1 }),
    makeNode('MatMul', ['p', 'v'], ['y']),
    ...extra,
  ];
  return makeModel(makeGraph(nodes, 'attn', [vi('q', 'float32', qDims), vi('k', 'float32', kDims), vi('v', 'float32', vDims)],
    [vi('y', 'float32', outDims), ...extraOut.map((o) => vi(o, 'float32'))], [makeTensor('scale', 'float32', [], [1 / Math.sqrt(D)])]), { opsets: { '': 17 } });
}

async function check(m: Model, feeds: Record<string, Tensor>, absorbed: boolean, perm?: number[]) {
  const { model: opt } = optimizeModel(m, { level: 'extended' });
  const fa = opt.graph.nodes.filter((n) => n.opType === 'FusedAttention');
  expect(fa.length).toBe(1);
  const kPerm = fa[0]!.attrs.k_perm;
  if (absorbed) {
    expect(kPerm).toEqual({ type: 'ints', value: perm });
    expect(fa[0]!.inputs[1]).toBe('k');
    expect(opCounts(opt.graph).Transpose ?? 0).toBe(0);
  } else {
    expect(kPerm).toBeUndefined();
    expect(fa[0]!.inputs[1]).toBe('kt');
  }
  const yShape = m.graph.outputs[0]!.type?.kind === 'tensor' ? m.graph.outputs[0]!.type.shape : undefined;
  expect(inferShapes(opt).values.get('y')?.shape).toEqual(yShape?.map((d) => (typeof d === 'number' ? d : null)));
  const ref = await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const out = await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const ort = await runOrt(encodeModel(m), feeds);
  for (const k of Object.keys(ref)) {
    expectElementwiseClose(out[k] as Tensor, ref[k] as Tensor, `${k} vs unoptimized`);
    expectElementwiseClose(out[k] as Tensor, ort[k]!, `${k} vs onnxruntime`);
  }
}

describe('FusedAttention absorbs the Transpose of K (k_perm)', () => {
  it('k.transpose(-1, -2) of K [B, H, Sk, D]', async () => {
    const m = build([2, 3, 5, 8], [2, 3, 7, 8], [2, 3, 7, 6], [0, 1, 3, 2], [2, 3, 5, 6]);
    await check(m, { q: f32([2, 3, 5, 8], 1, 2), k: f32([2, 3, 7, 8], 2, 2), v: f32([2, 3, 7, 6], 3) }, true, [0, 1, 3, 2]);
  });

  it("torch's merged head split: Transpose([0, 2, 3, 1]) of K [B, Sk, H, D]", async () => {
    const m = build([2, 3, 5, 8], [2, 7, 3, 8], [2, 3, 7, 8], [0, 2, 3, 1], [2, 3, 5, 8]);
    await check(m, { q: f32([2, 3, 5, 8], 4, 2), k: f32([2, 7, 3, 8], 5, 2), v: f32([2, 3, 7, 8], 6) }, true, [0, 2, 3, 1]);
  });

  it('3-D [B*H, Sk, D] with perm [0, 2, 1], and a 2-D K with the default perm (broadcast over Q batches)', async () => {
    await check(build([6, 9, 16], [6, 11, 16], [6, 11, 16], [0, 2, 1], [6, 9, 16]),
      { q: f32([6, 9, 16], 7, 2), k: f32([6, 11, 16], 8, 2), v: f32([6, 11, 16], 9) }, true, [0, 2, 1]);
    await check(build([3, 4, 5], [6, 5], [6, 2], undefined, [3, 4, 2]),
      { q: f32([3, 4, 5], 10, 2), k: f32([6, 5], 11, 2), v: f32([6, 2], 12) }, true, [1, 0]);
  });

  it("torch's whole head split: Q, K, V as [B, S, H, D] → no Transpose left; a Q Transpose moving the last axis stays", async () => {
    const [B, S, Sk, H, D] = [2, 5, 7, 3, 8];
    const mk = (qPerm: number[]) => makeModel(makeGraph([
      makeNode('Transpose', ['q'], ['qh'], { perm: intsAttr(qPerm) }),
      makeNode('Transpose', ['k'], ['kt'], { perm: intsAttr([0, 2, 3, 1]) }),
      makeNode('Transpose', ['v'], ['vh'], { perm: intsAttr([0, 2, 1, 3]) }),
      makeNode('MatMul', ['qh', 'kt'], ['s']), makeNode('Div', ['s', 'scale'], ['ss']),
      makeNode('Softmax', ['ss'], ['p'], { axis: -1 }), makeNode('MatMul', ['p', 'vh'], ['y']),
    ], 'heads', [vi('q', 'float32', [B, S, H, D]), vi('k', 'float32', [B, Sk, H, D]), vi('v', 'float32', [B, Sk, H, D])],
    [vi('y', 'float32', [B, H, S, D])], [makeTensor('scale', 'float32', [], [Math.sqrt(D)])]), { opsets: { '': 17 } });
    const feeds = { q: f32([B, S, H, D], 16, 2), k: f32([B, Sk, H, D], 17, 2), v: f32([B, Sk, H, D], 18) };
    for (const [qPerm, absorbed] of [[[0, 2, 1, 3], true], [[0, 3, 1, 2], false]] as [number[], boolean][]) {
      // with [0, 3, 1, 2] Q's input is [B, S, D, H] (its rows would not be contiguous): that Transpose stays
      const m = mk(qPerm);
      const qDims = absorbed ? [B, S, H, D] : [B, S, D, H];
      m.graph.inputs[0] = vi('q', 'float32', qDims);
      const f = { ...feeds, q: f32(qDims, 16, 2) };
      const { model: opt } = optimizeModel(m, { level: 'extended' });
      const fa = opt.graph.nodes.find((n) => n.opType === 'FusedAttention')!;
      expect(fa.attrs.k_perm).toEqual({ type: 'ints', value: [0, 2, 3, 1] });
      expect(fa.attrs.v_perm).toEqual({ type: 'ints', value: [0, 2, 1, 3] });
      expect(fa.attrs.q_perm).toEqual(absorbed ? { type: 'ints', value: qPerm } : undefined);
      expect(opCounts(opt.graph).Transpose ?? 0).toBe(absorbed ? 0 : 1);
      expect(inferShapes(opt).values.get('y')?.shape).toEqual([B, H, S, D]);
      const ref = (await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(f)).y as Tensor;
      const out = (await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(f)).y as Tensor;
      const ort = (await runOrt(encodeModel(m), f)).y!;
      expectElementwiseClose(out, ref, 'vs unoptimized');
      expectElementwiseClose(out, ort, 'vs onnxruntime');
    }
  });

  it('leaves the Transpose when something else reads K^T or it is a graph output', async () => {
    const dims = { q: [1, 2, 4, 8], k: [1, 2, 6, 8], v: [1, 2, 6, 8] };
    const feeds = { q: f32(dims.q, 13, 2), k: f32(dims.k, 14, 2), v: f32(dims.v, 15) };
    await check(build(dims.q, dims.k, dims.v, [0, 1, 3, 2], [1, 2, 4, 8], [makeNode('Neg', ['kt'], ['kn'])], ['kn']), feeds, false);
    await check(build(dims.q, dims.k, dims.v, [0, 1, 3, 2], [1, 2, 4, 8], [], ['kt']), feeds, false);
  });
});
