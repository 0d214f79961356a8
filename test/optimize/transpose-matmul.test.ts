// Transposes folded into matrix products (src/optimize/fuse-transpose-matmul.ts): MatMul / FusedGemm
// reading a last-two-axes Transpose → com.onnxflow FusedGemm with transA / transB (level extended),
// and a 2-D Transpose into ai.onnx Gemm's transA / transB (basic, standard ONNX). Counts asserted;
// outputs match the unoptimized graph and onnxruntime-node (1e-4 relative).
import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node, ValueInfo } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { type OptimizationLevel, optimizeModel, opCounts } from '../../src/optimize/index.js';
import { fusedGemmConfig } from '../../src/backends/cpu/kernels/fused/FusedGemm.js';
import { matmul } from '../../src/backends/cpu/kernels/linalg/MatMul.js';
import { inferShapes } from '../../src/ir/shape/infer.js';
import { randomFloats } from '../helpers/rng.js';
import { runOrt } from '../helpers/ort.js';

const n = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(n(dims), seed), dims);
const init = (name: string, dims: number[], seed: number) => makeTensor(name, 'float32', dims, randomFloats(n(dims), seed));

function model(nodes: Node[], inputs: ValueInfo[], outputs = ['y'], inits: ReturnType<typeof makeTensor>[] = []): Model {
  return makeModel(makeGraph(nodes, 'g', inputs, outputs.map((o) => vi(o, 'float32')), inits), { opsets: { '': 17 } });
}

function expectClose(a: Tensor, b: Tensor, tol: number, label: string) {
  expect(a.dims, label).toEqual(b.dims);
  const x = a.data as Float32Array;
  const y = b.data as ArrayLike<number>;
  let err = 0;
  let scale = 1;
  for (let i = 0; i < y.length; i++) { err = Math.max(err, Math.abs(x[i]! - y[i]!)); scale = Math.max(scale, Math.abs(y[i]!)); }
  expect(err / scale, label).toBeLessThanOrEqual(tol);
}

async function check(m: Model, feeds: Record<string, Tensor>, level: OptimizationLevel, want: Record<string, number>) {
  const { model: opt, report } = optimizeModel(m, { level });
  const after = opCounts(opt.graph);
  for (const [op, c] of Object.entries(want)) expect(after[op] ?? 0, op).toBe(c);
  const ref = await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const out = await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const ort = await runOrt(encodeModel(m), feeds);
  const ortOpt = level === 'basic' ? await runOrt(encodeModel(opt), feeds) : undefined;
  for (const k of Object.keys(ref)) {
    expectClose(out[k] as Tensor, ref[k] as Tensor, 1e-4, `${k} vs unoptimized`);
    expectClose(out[k] as Tensor, ort[k]!, 1e-4, `${k} vs onnxruntime`);
    if (ortOpt) expectClose(ortOpt[k]!, ref[k] as Tensor, 1e-4, `${k}: optimized on onnxruntime`);
  }
  return { opt, report };
}

const FG = 'com.onnxflow:FusedGemm';
const fused = (m: Model) => m.graph.nodes.find((x) => x.opType === 'FusedGemm')!;

describe('transpose folding into MatMul', () => {
  it("attention's K^T: MatMul(q, Transpose(k, [0, 1, 3, 2])) → FusedGemm(q, k, transB=1)", async () => {
    const m = model([makeNode('Transpose', ['k'], ['kt'], { perm: [0, 1, 3, 2] }), makeNode('MatMul', ['q', 'kt'], ['y'])],
      [vi('q', 'float32', [2, 3, 5, 4]), vi('k', 'float32', [2, 3, 6, 4])]);
    const { opt, report } = await check(m, { q: f32([2, 3, 5, 4], 1), k: f32([2, 3, 6, 4], 2) }, 'extended', { Transpose: 0, MatMul: 0, [FG]: 1 });
    expect(fused(opt).inputs).toEqual(['q', 'k']);
    expect(fused(opt).attrs.transB).toEqual({ type: 'int', value: 1 });
    expect(fused(opt).attrs.transA).toBeUndefined();
    expect(report.fusions['FusedGemm+Transpose']).toBe(1);
    // basic leaves it (FusedGemm is not standard ONNX)
    await check(m, { q: f32([2, 3, 5, 4], 1), k: f32([2, 3, 6, 4], 2) }, 'basic', { Transpose: 1, MatMul: 1, [FG]: 0 });
  });

  it('both operands transposed (3-D A, 2-D B with the default perm), with batch broadcasting', async () => {
    const m = model([
      makeNode('Transpose', ['a'], ['at'], { perm: [0, 2, 1] }), makeNode('Transpose', ['b'], ['bt']), makeNode('MatMul', ['at', 'bt'], ['y']),
    ], [vi('a', 'float32', [3, 4, 5]), vi('b', 'float32', [6, 4])]);
    const { opt } = await check(m, { a: f32([3, 4, 5], 3), b: f32([6, 4], 4) }, 'all', { Transpose: 0, MatMul: 0, [FG]: 1 });
    expect(fused(opt).attrs.transA).toEqual({ type: 'int', value: 1 });
    expect(fused(opt).attrs.transB).toEqual({ type: 'int', value: 1 });
  });

  it('a Linear whose weight arrives transposed at run time: Add(MatMul(x, Transpose(w)), b) + Relu → FusedGemm(transB) + Add + activation', async () => {
    const m = model([
      makeNode('Transpose', ['w'], ['wt'], { perm: [1, 0] }), makeNode('MatMul', ['x', 'wt'], ['h']), makeNode('Relu', ['h'], ['y']),
    ], [vi('x', 'float32', [2, 7, 5]), vi('w', 'float32', [3, 5])]);
    const { opt } = await check(m, { x: f32([2, 7, 5], 5), w: f32([3, 5], 6) }, 'all', { Transpose: 0, MatMul: 0, Relu: 0, [FG]: 1 });
    expect(fused(opt).attrs.activation).toEqual({ type: 'string', value: 'Relu' });
    expect(fused(opt).attrs.transB).toEqual({ type: 'int', value: 1 });
  });

  it('folds into a FusedGemm from the bias fusion, and keeps a Transpose other nodes still read', async () => {
    const m = model([
      makeNode('Transpose', ['a'], ['at'], { perm: [0, 2, 1] }), makeNode('MatMul', ['at', 'w'], ['h']), makeNode('Add', ['h', 'b'], ['y']),
      makeNode('Neg', ['at'], ['z']),
    ], [vi('a', 'float32', [2, 5, 4])], ['y', 'z'], [init('w', [5, 3], 7), init('b', [3], 8)]);
    const { opt } = await check(m, { a: f32([2, 5, 4], 9) }, 'all', { Transpose: 1, MatMul: 0, Add: 0, [FG]: 1 });
    expect(fused(opt).inputs).toEqual(['a', 'w', 'b']);
    expect(fused(opt).attrs.transA).toEqual({ type: 'int', value: 1 });
  });

  it('leaves Transposes that move other axes, and non-float32 products', async () => {
    const m = model([makeNode('Transpose', ['a'], ['at'], { perm: [1, 0, 2] }), makeNode('MatMul', ['at', 'b'], ['y'])],
      [vi('a', 'float32', [3, 2, 4]), vi('b', 'float32', [4, 5])]);
    await check(m, { a: f32([3, 2, 4], 10), b: f32([4, 5], 11) }, 'all', { Transpose: 1, MatMul: 1, [FG]: 0 });
    const d = makeModel(makeGraph([makeNode('Transpose', ['a'], ['at']), makeNode('MatMul', ['at', 'b'], ['y'])], 'g',
      [vi('a', 'float64', [3, 2]), vi('b', 'float64', [3, 2])], [vi('y', 'float64')]), { opsets: { '': 17 } });
    expect(opCounts(optimizeModel(d).model.graph)).toEqual({ Transpose: 1, MatMul: 1 });
  });

  it('FusedGemm kernel and shape rule honour transA / transB', () => {
    const a = f32([2, 4, 3], 12);
    const b = f32([5, 4], 13);
    const attrs = (ta: number, tb: number) => ({ attrs: { string: (_k: string, d: string) => d, int: (k: string, d: number) => (k === 'transA' ? ta : k === 'transB' ? tb : d) } }) as never;
    const [y] = fusedGemmConfig.kernel([a, b], attrs(1, 1)) as Tensor[];
    // reference: explicit transposes then matmul
    const at = new Tensor('float32', new Float32Array(24), [2, 3, 4]);
    for (let k = 0; k < 2; k++) for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) (at.data as Float32Array)[k * 12 + j * 4 + i] = (a.data as Float32Array)[k * 12 + i * 3 + j]!;
    const bt = new Tensor('float32', new Float32Array(20), [4, 5]);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) (bt.data as Float32Array)[j * 5 + i] = (b.data as Float32Array)[i * 4 + j]!;
    const ref = matmul(at, bt);
    expect(y!.dims).toEqual([2, 3, 5]);
    expect(Array.from(y!.data as Float32Array)).toEqual(Array.from(ref.data as Float32Array));
    const node = makeNode('FusedGemm', ['a', 'b'], ['y'], { transA: 1, transB: 1 }, { domain: 'com.onnxflow' });
    const m = makeModel(makeGraph([node], 'g', [vi('a', 'float32', [2, 4, 'n']), vi('b', 'float32', [5, 4])], [vi('y', 'float32')]), { opsets: { '': 17, 'com.onnxflow': 1 } });
    expect(inferShapes(m).values.get('y')?.shape).toEqual([2, 'n', 5]);
  });
});

describe('transpose folding into Gemm (basic)', () => {
  it('Gemm(Transpose(A), B) → Gemm(A, B, transA=1); Gemm(A, Transpose(B), transB=1) → Gemm(A, B, transB=0)', async () => {
    const m = model([
      makeNode('Transpose', ['a'], ['at'], { perm: [1, 0] }), makeNode('Transpose', ['b'], ['bt']),
      makeNode('Gemm', ['at', 'bt', 'c'], ['y'], { transB: 1, alpha: 0.5 }),
    ], [vi('a', 'float32', [4, 3]), vi('b', 'float32', [4, 5])], ['y'], [init('c', [5], 14)]);
    const { opt, report } = await check(m, { a: f32([4, 3], 15), b: f32([4, 5], 16) }, 'basic', { Transpose: 0, Gemm: 1 });
    const g = opt.graph.nodes.find((x) => x.opType === 'Gemm')!;
    expect(g.inputs).toEqual(['a', 'b', 'c']);
    expect(g.attrs.transA).toEqual({ type: 'int', value: 1 });
    expect(g.attrs.transB).toEqual({ type: 'int', value: 0 });
    expect(report.fusions['Gemm+Transpose']).toBe(2);
  });
});
