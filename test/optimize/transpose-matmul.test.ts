// Transposes folded into matrix products (src/optimize/fuse-transpose-matmul.ts): MatMul / FusedGemm
// reading a last-two-axes Transpose → com.onnxflow FusedGemm with transA / transB (level extended),
// and a 2-D Transpose into ai.onnx Gemm's transA / transB (basic, standard ONNX). Counts asserted;
// outputs match the unoptimized graph and onnxruntime-node (1e-4 relative).
import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node, ValueInfo } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { type OptimizationLevel, optimizeModel, opCounts } from '../../src/optimize/index.js';
import { fusedGemmConfig } from '../../src/backends/cpu/kernels/fused/FusedGemm.js';
import { matmul } from '../../src/backends/cpu/kernels/linalg/MatMul.js';
import { inferShapes } from '../../src/ir/shape/infer.js';
import { randomFloats } from '../helpers/rng.js';
import type { Backend, KernelFn } from '../../src/backends/backend.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend } from '../../src/backends/registry.js';
import { FUSED_DOMAIN } from '../../src/optimize/index.js';
import { expectClose } from '../helpers/close.js';
import { checkOptimized } from '../helpers/optimize-check.js';

const n = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(n(dims), seed), dims);
const init = (name: string, dims: number[], seed: number) => makeTensor(name, 'float32', dims, randomFloats(n(dims), seed));

function model(nodes: Node[], inputs: ValueInfo[], outputs = ['y'], inits: ReturnType<typeof makeTensor>[] = []): Model {
  return makeModel(makeGraph(nodes, 'g', inputs, outputs.map((o) => vi(o, 'float32')), inits), { opsets: { '': 17 } });
}

const check = checkOptimized;

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
    // transB is read in place; small products then take the dot-product loops (double accumulation)
    expectClose(y!, ref, 1e-6, 'transA+transB vs explicit transposes');
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

// A backend whose FusedGemm reads transB in place (as the native backend's does); the same math as cpu's.
const ownFusedGemm: KernelFn = (inputs, ctx) => fusedGemmConfig.kernel(inputs, ctx);
const transBInPlace: Backend = {
  name: 'transb-in-place',
  getKernel: (op, domain, opset) => (op === 'FusedGemm' && domain === FUSED_DOMAIN ? ownFusedGemm : cpuBackend.getKernel(op, domain, opset)),
};
registerBackend('transb-in-place', () => transBInPlace);

describe('a shared weight and its Transpose: one copy (constant folding leaves it to the transpose folding)', () => {
  // Whisper's tied embedding in small: Gather reads W [V, D], the output projection MatMul reads Transpose(W).
  const tied = (extra: Node[] = [], outputs = ['y', 'e']) => model([
    makeNode('Gather', ['w', 'ids'], ['e'], { axis: 0 }), makeNode('Transpose', ['w'], ['wt']), makeNode('MatMul', ['x', 'wt'], ['y']), ...extra,
  ], [vi('x', 'float32', [2, 3, 4]), vi('ids', 'int64', [2])], outputs, [init('w', [6, 4], 21)]);
  const feeds = () => ({ x: f32([2, 3, 4], 22), ids: new Tensor('int64', [5n, 1n], [2]) });
  const weights = (m: Model) => [...m.graph.initializers.values()];

  it.each(['extended', 'all'] as const)('level %s: FusedGemm(x, W, transB=1) reads the one weight, no transposed copy', async (level) => {
    const m = tied();
    const { opt, report } = await check(m, feeds(), level, { Transpose: 0, MatMul: 0, [FG]: 1, Gather: 1 }, transBInPlace);
    expect(fused(opt).inputs).toEqual(['x', 'w']);
    expect(fused(opt).attrs.transB).toEqual({ type: 'int', value: 1 });
    expect(weights(opt)).toEqual([m.graph.initializers.get('w')]);
    expect(report.passes['constant-folding'] ?? 0).toBe(0);
    const s = await InferenceSession.create(tied(), { graphOptimizationLevel: level, backend: 'transb-in-place' });
    const r = s.memoryReport();
    expect(r.weightBytes).toBe(6 * 4 * 4);
    expect(r.weightBytesShared).toBe(r.weightBytes);
  });

  it('level basic (standard ONNX) keeps the folded transposed copy; the cpu FusedGemm reads W in place too', async () => {
    const { opt } = await check(tied(), feeds(), 'basic', { Transpose: 0, MatMul: 1 }, transBInPlace);
    expect(weights(opt).map((t) => t.dims)).toEqual([[6, 4], [4, 6]]);
    for (const backend of [undefined, cpuBackend]) {
      const { opt: o } = await check(tied(), feeds(), 'all', { Transpose: 0, MatMul: 0, [FG]: 1 }, backend);
      expect(fused(o).inputs).toEqual(['x', 'w']);
      expect(weights(o).map((t) => t.dims)).toEqual([[6, 4]]);
    }
  });

  it('Gemm readers at every level and on every backend: Gemm(x, Transpose(W)) → Gemm(x, W, transB=1), one weight', async () => {
    const m = model([
      makeNode('Gather', ['w', 'ids'], ['e'], { axis: 0 }), makeNode('Transpose', ['w'], ['wt']), makeNode('Gemm', ['x2', 'wt'], ['y']),
    ], [vi('x2', 'float32', [3, 4]), vi('ids', 'int64', [2])], ['y', 'e'], [init('w', [6, 4], 23)]);
    for (const level of ['basic', 'all'] as const) {
      const { opt } = await check(m, { x2: f32([3, 4], 24), ids: new Tensor('int64', [0n, 5n], [2]) }, level, { Transpose: 0 });
      const g = opt.graph.nodes.find((x) => x.opType === 'Gemm' || x.opType === 'FusedGemm')!;
      expect(g.inputs.slice(0, 2)).toEqual(['x2', 'w']);
      expect(g.attrs.transB).toEqual({ type: 'int', value: 1 });
      expect(weights(opt)).toHaveLength(1);
    }
  });

  it('still folds when the weight has no other reader, or the Transpose has a reader no product absorbs', async () => {
    // only the Transpose reads W: folding replaces it (DCE drops the original), still one copy
    const alone = model([makeNode('Transpose', ['w'], ['wt']), makeNode('MatMul', ['x', 'wt'], ['y'])], [vi('x', 'float32', [2, 3, 4])], ['y'], [init('w', [6, 4], 25)]);
    const a = await check(alone, { x: f32([2, 3, 4], 26) }, 'all', { Transpose: 0 }, transBInPlace);
    expect(weights(a.opt).map((t) => t.dims)).toEqual([[4, 6]]);
    // Transpose(W) also read by an Add: the transposed values are needed as they are
    const m = tied([makeNode('Add', ['wt', 'b'], ['z'])], ['y', 'e', 'z']);
    m.graph.inputs.push(vi('b', 'float32', [4, 6]));
    const b = await check(m, { ...feeds(), b: f32([4, 6], 27) }, 'all', { Transpose: 0 }, transBInPlace);
    expect(weights(b.opt).map((t) => t.dims).sort()).toEqual([[4, 6], [6, 4]]);
  });
});
