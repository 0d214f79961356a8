// Residual fusion (src/optimize/fuse-residual.ts, level all): Add(P, R) with P a FusedGemm / FusedConv /
// Conv output nothing else reads and R of P's exact shape becomes the product's 4th input, added after
// the activation in its epilogue. Counts are asserted; outputs equal the unoptimized graph bit for bit
// on cpu and on native (the epilogue adds in the Add's order), and match onnxruntime-node on the
// original model. Broadcast residuals, shared outputs and unknown shapes stay unfused.
import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { nativeStatus } from '../../src/backends/native/index.js';
import { randomFloats } from '../helpers/rng.js';
import { checkOptimized } from '../helpers/optimize-check.js';

const n = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(n(dims), seed), dims);
const init = (name: string, dims: number[], seed: number) => makeTensor(name, 'float32', dims, randomFloats(n(dims), seed));

function model(nodes: Node[], inputs: Record<string, number[]>, inits: ReturnType<typeof makeTensor>[], outputs = ['y']): Model {
  return makeModel(makeGraph(nodes, 'g', Object.entries(inputs).map(([k, d]) => vi(k, 'float32', d)), outputs.map((o) => vi(o, 'float32')), inits), { opsets: { '': 17 } });
}

const FG = 'com.onnxflow:FusedGemm', FC = 'com.onnxflow:FusedConv';

/** Same bytes from the optimized and the unoptimized model on `backend`. */
async function sameBits(m: Model, feeds: Record<string, Tensor>, backend: string) {
  const ref = await (await InferenceSession.create(m, { backend, graphOptimizationLevel: 'disabled' })).run(feeds);
  const out = await (await InferenceSession.create(m, { backend, graphOptimizationLevel: 'all' })).run(feeds);
  for (const k of Object.keys(ref)) {
    const a = (ref[k] as Tensor).data as Float32Array, b = (out[k] as Tensor).data as Float32Array;
    expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength)), `${k} on ${backend}`).toBe(true);
  }
}

const backends = ['cpu', ...(nativeStatus().available ? ['native'] : [])];

describe('residual fusion', () => {
  it('x + (MatMul(h, W) + b) → FusedGemm(h, W, b, x); with an activation too (added after it)', async () => {
    const m = model([
      makeNode('MatMul', ['h', 'w'], ['mm']), makeNode('Add', ['mm', 'b'], ['lin']), makeNode('Add', ['x', 'lin'], ['y']),
      makeNode('MatMul', ['y', 'w2'], ['mm2']), makeNode('Add', ['mm2', 'b2'], ['lin2']), makeNode('Relu', ['lin2'], ['act']),
      makeNode('Add', ['act', 'y'], ['z']),
    ], { h: [2, 7, 48], x: [2, 7, 40] }, [init('w', [48, 40], 1), init('b', [40], 2), init('w2', [40, 40], 3), init('b2', [40], 4)], ['z']);
    const feeds = { h: f32([2, 7, 48], 5), x: f32([2, 7, 40], 6) };
    const { opt } = await checkOptimized(m, feeds, 'all', { [FG]: 2, Add: 0, Relu: 0, MatMul: 0 });
    const fused = opt.graph.nodes.filter((x) => x.opType === 'FusedGemm');
    expect(fused.map((x) => x.inputs[3])).toEqual(['x', 'y']);
    expect(fused[1]!.attrs.activation).toEqual({ type: 'string', value: 'Relu' });
    for (const b of backends) await sameBits(m, feeds, b);
  });

  it('a ResNet block: Conv(h) + x → FusedConv with no activation and x as residual; FusedConv(SiLU) + x keeps its activation', async () => {
    const m = model([
      makeNode('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: [1, 1, 1, 1] }), makeNode('Relu', ['c1'], ['h']),
      makeNode('Conv', ['h', 'w2', 'b2'], ['c2'], { pads: [1, 1, 1, 1] }), makeNode('Add', ['c2', 'x'], ['y']),
      makeNode('Conv', ['y', 'w3'], ['c3'], { pads: [1, 1, 1, 1] }), makeNode('Relu', ['c3'], ['r3']), makeNode('Add', ['y', 'r3'], ['z']),
    ], { x: [2, 8, 8, 8] }, [init('w1', [8, 8, 3, 3], 1), init('b1', [8], 2), init('w2', [8, 8, 3, 3], 3), init('b2', [8], 4), init('w3', [8, 8, 3, 3], 5)], ['z']);
    const feeds = { x: f32([2, 8, 8, 8], 7) };
    const { opt } = await checkOptimized(m, feeds, 'all', { [FC]: 3, Conv: 0, Add: 0, Relu: 0 });
    const fc = opt.graph.nodes.filter((x) => x.opType === 'FusedConv');
    expect(fc.map((x) => x.inputs[3] ?? '')).toEqual(['', 'x', 'y']);
    expect(fc[2]!.inputs[2]).toBe('');  // no bias: an empty slot before the residual
    expect(fc[1]!.attrs.pads).toEqual({ type: 'ints', value: [1, 1, 1, 1] });
    for (const b of backends) await sameBits(m, feeds, b);
  });

  it.each([
    ['3x3 on 4x4 (gathered, small-image tasks)', [2, 16, 4, 4], [24, 16, 3, 3], { pads: [1, 1, 1, 1] }, [2, 24, 4, 4]],
    ['1x1 (X read in place)', [1, 12, 6, 10], [20, 12, 1, 1], {}, [1, 20, 6, 10]],
    ['depthwise', [2, 6, 9, 9], [6, 1, 3, 3], { group: 6, pads: [1, 1, 1, 1] }, [2, 6, 9, 9]],
    ['strided 3x3 on 40x40 (gathered panels)', [1, 5, 40, 40], [7, 5, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 7, 20, 20]],
    ['3x3 on 64x72 (gathered, several column blocks)', [1, 6, 64, 72], [10, 6, 3, 3], { pads: [1, 1, 1, 1] }, [1, 10, 64, 72]],
  ] as const)('Conv %s + residual: same bits as the separate Add', async (_name, xd, wd, attrs, yd) => {
    const m = model([makeNode('Conv', ['x', 'w', 'b'], ['c'], attrs as Record<string, number[] | number>), makeNode('Add', ['r', 'c'], ['y'])],
      { x: [...xd], r: [...yd] }, [init('w', [...wd], 1), init('b', [wd[0]], 2)]);
    const feeds = { x: f32([...xd], 3), r: f32([...yd], 4) };
    await checkOptimized(m, feeds, 'all', { [FC]: 1, Add: 0, Conv: 0 });
    for (const b of backends) await sameBits(m, feeds, b);
  });

  it.each([[[1, 64]], [[3, 64]], [[2, 3, 5, 64]]] as const)('MatMul [%j] x [64, 96] + b + residual: same bits (GEMV rows, batched)', async (ad) => {
    const yd = [...ad.slice(0, -1), 96];
    const m = model([makeNode('MatMul', ['a', 'w'], ['mm']), makeNode('Add', ['mm', 'b'], ['lin']), makeNode('Add', ['lin', 'r'], ['y'])],
      { a: [...ad], r: yd }, [init('w', [64, 96], 1), init('b', [96], 2)]);
    const feeds = { a: f32([...ad], 3), r: f32(yd, 4) };
    await checkOptimized(m, feeds, 'all', { [FG]: 1, Add: 0 });
    for (const b of backends) await sameBits(m, feeds, b);
  });

  it('leaves broadcast residuals, products read elsewhere, unknown shapes and lower levels alone', async () => {
    const inits = [init('w', [16, 16], 1), init('b', [16], 2), init('w2', [16, 16], 5)];
    // the residual broadcasts ([16] against [3, 16]), the product is also a graph output
    const m = model([
      makeNode('MatMul', ['h', 'w'], ['mm']), makeNode('Add', ['mm', 'b'], ['lin']), makeNode('Add', ['lin', 'r'], ['y']),
      makeNode('MatMul', ['h', 'w2'], ['mm2']), makeNode('Add', ['mm2', 'b'], ['lin2']), makeNode('Add', ['lin2', 'h'], ['y2']),
    ], { h: [3, 16], r: [16] }, inits, ['y', 'y2', 'lin2']);
    const feeds = { h: f32([3, 16], 3), r: f32([16], 4) };
    await checkOptimized(m, feeds, 'all', { [FG]: 2, Add: 2 });
    // a symbolic batch dim on one side only: not provably the same shape
    const sym = makeModel(makeGraph([makeNode('MatMul', ['h', 'w'], ['mm']), makeNode('Add', ['mm', 'b'], ['lin']), makeNode('Add', ['lin', 'r'], ['y'])], 'g',
      [vi('h', 'float32', ['n', 16]), vi('r', 'float32', ['m', 16])], [vi('y', 'float32')], inits), { opsets: { '': 17 } });
    expect(opCounts(optimizeModel(sym, { level: 'all' }).model.graph).Add).toBe(1);
    await checkOptimized(m, feeds, 'extended', { [FG]: 2, Add: 2 });
  });

  it('an activation after a FusedGemm with a residual stays a node (the residual comes after the activation)', async () => {
    // what a model saved at level all and optimized again holds
    const g = makeModel(makeGraph([makeNode('FusedGemm', ['a', 'w', 'b', 'r'], ['t'], {}, { domain: 'com.onnxflow' }), makeNode('Relu', ['t'], ['y'])], 'g',
      [vi('a', 'float32', [2, 4]), vi('r', 'float32', [2, 4])], [vi('y', 'float32')], [init('w', [4, 4], 1), init('b', [4], 2)]), { opsets: { '': 17, 'com.onnxflow': 1 } });
    const opt = optimizeModel(g, { level: 'all' }).model;
    expect(opCounts(opt.graph)).toMatchObject({ [FG]: 1, Relu: 1 });
    const feeds = { a: f32([2, 4], 3), r: f32([2, 4], 4) };
    const ref = await (await InferenceSession.create(g, { graphOptimizationLevel: 'disabled' })).run(feeds);
    const out = await (await InferenceSession.create(g)).run(feeds);
    expect(Array.from((out.y as Tensor).data as Float32Array)).toEqual(Array.from((ref.y as Tensor).data as Float32Array));
  });

  it('FusedGemm / FusedConv reject a residual of another shape with a clear error', async () => {
    const g = makeModel(makeGraph([makeNode('FusedGemm', ['a', 'w', '', 'r'], ['y'], {}, { domain: 'com.onnxflow' })], 'g',
      [vi('a', 'float32', [2, 4]), vi('r', 'float32', [4])], [vi('y', 'float32')], [init('w', [4, 4], 1)]), { opsets: { '': 17, 'com.onnxflow': 1 } });
    const c = makeModel(makeGraph([makeNode('FusedConv', ['x', 'w', '', 'r'], ['y'], {}, { domain: 'com.onnxflow' })], 'g',
      [vi('x', 'float32', [1, 2, 5, 5]), vi('r', 'float32', [1, 3, 5, 1])], [vi('y', 'float32')], [init('w', [3, 2, 1, 1], 1)]), { opsets: { '': 17, 'com.onnxflow': 1 } });
    for (const backend of backends) {
      const s = await InferenceSession.create(g, { backend, graphOptimizationLevel: 'disabled' });
      await expect(s.run({ a: f32([2, 4], 1), r: f32([4], 2) })).rejects.toThrow(/residual \[4\] must have the output's dims \[2,4\]/);
      const sc = await InferenceSession.create(c, { backend, graphOptimizationLevel: 'disabled' });
      await expect(sc.run({ x: f32([1, 2, 5, 5], 1), r: f32([1, 3, 5, 1], 2) })).rejects.toThrow(/residual \[1,3,5,1\] must have the output's dims \[1,3,5,5\]/);
    }
  });
});
