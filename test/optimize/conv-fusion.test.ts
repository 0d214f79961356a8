// Conv fusions (src/optimize/fuse-conv.ts): a per-channel constant bias Add folds into Conv's B
// (basic level, standard ONNX) and a Relu / SiLU / Gelu epilogue turns the Conv into com.onnxflow
// FusedConv (level all). Fused counts are asserted, and outputs match the unoptimized graph and
// onnxruntime-node on the original model (1e-4 relative).
import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { type OptimizationLevel, optimizeModel, opCounts } from '../../src/optimize/index.js';
import { fusedConvConfig } from '../../src/backends/cpu/kernels/fused/FusedConv.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { inferShapes } from '../../src/ir/shape/infer.js';
import { randomFloats } from '../helpers/rng.js';
import { expectClose } from '../helpers/close.js';
import { checkOptimized } from '../helpers/optimize-check.js';

const n = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(n(dims), seed), dims);
const init = (name: string, dims: number[], seed: number) => makeTensor(name, 'float32', dims, randomFloats(n(dims), seed));
const sc = (name: string, v: number) => makeTensor(name, 'float32', [], [v]);

function model(nodes: Node[], x: number[], inits: ReturnType<typeof makeTensor>[], outputs = ['y'], opset = 17): Model {
  return makeModel(makeGraph(nodes, 'g', [vi('x', 'float32', x)], outputs.map((o) => vi(o, 'float32')), inits), { opsets: { '': opset } });
}

/** Optimize at `level`, check the counts, and compare with the unoptimized run and onnxruntime-node. */
const check = async (m: Model, feeds: Record<string, Tensor>, level: OptimizationLevel, want: Record<string, number>) => (await checkOptimized(m, feeds, level, want)).opt;

const FC = 'com.onnxflow:FusedConv';
const erfGelu = (x: string, y: string): Node[] => [
  makeNode('Div', [x, 'sqrt2'], [`${y}_d`]), makeNode('Erf', [`${y}_d`], [`${y}_e`]), makeNode('Add', [`${y}_e`, 'one'], [`${y}_p`]),
  makeNode('Mul', [x, `${y}_p`], [`${y}_m`]), makeNode('Mul', [`${y}_m`, 'half'], [y]),
];
const geluConsts = [sc('sqrt2', Math.SQRT2), sc('one', 1), sc('half', 0.5)];

describe('conv fusion', () => {
  it('Conv (no B) + Add([1, M, 1, 1]) + Relu → FusedConv(Relu) with the bias as B; basic folds only the bias', async () => {
    const m = model([
      makeNode('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
      makeNode('Add', ['c', 'b'], ['cb']),
      makeNode('Relu', ['cb'], ['y']),
    ], [2, 3, 7, 6], [init('w', [5, 3, 3, 3], 1), init('b', [1, 5, 1, 1], 2)]);
    const feeds = { x: f32([2, 3, 7, 6], 3) };
    const basic = await check(m, feeds, 'basic', { Conv: 1, Add: 0, Relu: 1, [FC]: 0 });
    expect(basic.graph.nodes.find((x) => x.opType === 'Conv')!.inputs).toHaveLength(3);
    await check(m, feeds, 'extended', { Conv: 1, Add: 0, Relu: 1, [FC]: 0 });
    const all = await check(m, feeds, 'all', { Conv: 0, Add: 0, Relu: 0, [FC]: 1 });
    const fc = all.graph.nodes.find((x) => x.opType === 'FusedConv')!;
    expect(fc.inputs).toHaveLength(3);
    expect(fc.attrs.activation).toEqual({ type: 'string', value: 'Relu' });
    expect(fc.attrs.pads).toEqual({ type: 'ints', value: [1, 1, 1, 1] });
  });

  it('Conv with B + Add([M, 1, 1]) (added order swapped) + Mul(x, Sigmoid(x)) → FusedConv(SiLU) with the summed bias; strides, dilations, group', async () => {
    const m = model([
      makeNode('Conv', ['x', 'w', 'b0'], ['c'], { strides: [2, 1], dilations: [1, 2], group: 2, pads: [0, 2, 1, 0] }),
      makeNode('Add', ['b', 'c'], ['cb']),
      makeNode('Sigmoid', ['cb'], ['s']),
      makeNode('Mul', ['cb', 's'], ['y']),
    ], [1, 4, 9, 8], [init('w', [6, 2, 3, 2], 4), init('b0', [6], 5), init('b', [6, 1, 1], 6)]);
    const opt = await check(m, { x: f32([1, 4, 9, 8], 7) }, 'all', { Conv: 0, Add: 0, Sigmoid: 0, Mul: 0, [FC]: 1 });
    const fc = opt.graph.nodes.find((x) => x.opType === 'FusedConv')!;
    expect(fc.attrs.activation).toEqual({ type: 'string', value: 'SiLU' });
    expect(fc.attrs.group).toEqual({ type: 'int', value: 2 });
    expect(opt.graph.initializers.get(fc.inputs[2]!)!.dims).toEqual([6]);
  });

  it('the ONNX Gelu op (opset 20) fuses as the exported pattern does: Conv + Gelu → FusedConv(Gelu), MatMul + Add + Gelu(tanh) → FusedGemm(Gelu tanh)', async () => {
    const conv = model([makeNode('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }), makeNode('Gelu', ['c'], ['y'])],
      [1, 3, 6, 5], [init('w', [4, 3, 3, 3], 21), init('b', [4], 22)], ['y'], 20);
    const oc = await check(conv, { x: f32([1, 3, 6, 5], 23) }, 'all', { Conv: 0, Gelu: 0, [FC]: 1, 'com.onnxflow:Gelu': 0 });
    expect(oc.graph.nodes[0]!.attrs.activation).toEqual({ type: 'string', value: 'Gelu' });
    const mm = makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['h']), makeNode('Add', ['h', 'b'], ['hb']), makeNode('Gelu', ['hb'], ['y'], { approximate: 'tanh' })],
      'g', [vi('x', 'float32', [5, 8])], [vi('y', 'float32')], [init('w', [8, 6], 24), init('b', [6], 25)]), { opsets: { '': 20 } });
    const om = await check(mm, { x: f32([5, 8], 26) }, 'all', { MatMul: 0, Add: 0, Gelu: 0, 'com.onnxflow:FusedGemm': 1, 'com.onnxflow:Gelu': 0 });
    expect(om.graph.nodes[0]!.attrs.gelu_approximate).toEqual({ type: 'string', value: 'tanh' });
  });

  it('Conv (auto_pad SAME_UPPER, 1-D) + erf GELU → FusedConv(Gelu), through the Gelu fusion', async () => {
    const m = model([makeNode('Conv', ['x', 'w', 'b'], ['c'], { auto_pad: 'SAME_UPPER', strides: [2] }), ...erfGelu('c', 'y')],
      [2, 3, 11], [init('w', [4, 3, 4], 8), init('b', [4], 9), ...geluConsts]);
    const opt = await check(m, { x: f32([2, 3, 11], 10) }, 'all', { Conv: 0, Erf: 0, [FC]: 1, 'com.onnxflow:Gelu': 0 });
    const fc = opt.graph.nodes.find((x) => x.opType === 'FusedConv')!;
    expect(fc.attrs.activation).toEqual({ type: 'string', value: 'Gelu' });
    expect(fc.attrs.gelu_approximate).toEqual({ type: 'string', value: 'none' });
    expect(fc.attrs.auto_pad).toEqual({ type: 'string', value: 'SAME_UPPER' });
  });

  it('depthwise 2-D Conv + SiLU and a 3-D Conv + Relu', async () => {
    const m = model([
      makeNode('Conv', ['x', 'w', 'b'], ['c'], { group: 4, kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      makeNode('Sigmoid', ['c'], ['s']), makeNode('Mul', ['s', 'c'], ['y']),
    ], [1, 4, 6, 5], [init('w', [4, 1, 3, 3], 11), init('b', [4], 12)]);
    await check(m, { x: f32([1, 4, 6, 5], 13) }, 'all', { Conv: 0, Sigmoid: 0, [FC]: 1 });
    const m3 = model([makeNode('Conv', ['x', 'w'], ['c'], { pads: [1, 0, 1, 1, 0, 1] }), makeNode('Relu', ['c'], ['y'])],
      [1, 2, 4, 5, 3], [init('w', [3, 2, 3, 2, 3], 14)]);
    await check(m3, { x: f32([1, 2, 4, 5, 3], 15) }, 'all', { Conv: 0, Relu: 0, [FC]: 1 });
  });

  it('leaves the pattern when an intermediate is read elsewhere or is a graph output, and a bias that broadcasts along the last axis', async () => {
    // c read by Relu and by the second output
    const shared = model([makeNode('Conv', ['x', 'w'], ['c']), makeNode('Relu', ['c'], ['y']), makeNode('Neg', ['c'], ['z'])],
      [1, 2, 4, 4], [init('w', [3, 2, 1, 1], 16)], ['y', 'z']);
    await check(shared, { x: f32([1, 2, 4, 4], 17) }, 'all', { Conv: 1, Relu: 1, [FC]: 0 });
    // c is a graph output
    const out = model([makeNode('Conv', ['x', 'w'], ['c']), makeNode('Relu', ['c'], ['y'])], [1, 2, 4, 4], [init('w', [3, 2, 1, 1], 18)], ['y', 'c']);
    await check(out, { x: f32([1, 2, 4, 4], 19) }, 'all', { Conv: 1, Relu: 1, [FC]: 0 });
    // bias [3] broadcasts along W (= 3), not along the channels: not a Conv bias
    const last = model([makeNode('Conv', ['x', 'w'], ['c']), makeNode('Add', ['c', 'b'], ['y'])], [1, 2, 4, 3], [init('w', [3, 2, 1, 1], 20), init('b', [3], 21)]);
    await check(last, { x: f32([1, 2, 4, 3], 22) }, 'all', { Conv: 1, Add: 1 });
    // an Add of an activation (the UNet's time embedding) is not a bias either
    const act = makeModel(makeGraph([makeNode('Conv', ['x', 'w'], ['c']), makeNode('Add', ['c', 't'], ['y'])], 'g',
      [vi('x', 'float32', [1, 2, 4, 3]), vi('t', 'float32', [1, 3, 1, 1])], [vi('y', 'float32')], [init('w', [3, 2, 1, 1], 23)]), { opsets: { '': 17 } });
    await check(act, { x: f32([1, 2, 4, 3], 24), t: f32([1, 3, 1, 1], 25) }, 'all', { Conv: 1, Add: 1 });
  });

  it('FusedConv kernel: tanh GELU epilogue and shape inference', () => {
    const node = makeNode('FusedConv', ['x', 'w', 'b'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1], activation: 'Gelu', gelu_approximate: 'tanh' }, { domain: 'com.onnxflow' });
    const m = makeModel(makeGraph([node], 'g', [vi('x', 'float32', [1, 2, 5, 5])], [vi('y', 'float32')], [init('w', [3, 2, 3, 3], 26), init('b', [3], 27)]),
      { opsets: { '': 17, 'com.onnxflow': 1 } });
    expect(inferShapes(m).values.get('y')?.shape).toEqual([1, 3, 3, 3]);
    expect(() => fusedConvConfig.kernel([f32([1, 2, 5, 5], 1), f32([3, 2, 3, 3], 2)], { attrs: { string: (k: string, d: string) => (k === 'activation' ? 'Tanh' : d) } } as never)).toThrow(/unknown activation/);
  });

  it('a Conv + Relu on a backend without FusedConv stays as it was (the bias still folds)', () => {
    const m = model([makeNode('Conv', ['x', 'w'], ['c']), makeNode('Add', ['c', 'b'], ['cb']), makeNode('Relu', ['cb'], ['y'])],
      [1, 2, 4, 4], [init('w', [3, 2, 1, 1], 28), init('b', [1, 3, 1, 1], 29)]);
    const backend = { name: 'plain', getKernel: (op: string, domain: string) => (domain === '' ? (() => []) : undefined) } as never;
    const after = opCounts(optimizeModel(m, { level: 'all', backend }).model.graph);
    expect(after).toEqual({ Conv: 1, Relu: 1 });
  });

  it('Conv + Mul(x, Sigmoid(x)) on a backend with FusedConv but no SiLU kernel → FusedConv(SiLU)', async () => {
    const m = model([makeNode('Conv', ['x', 'w', 'b'], ['c']), makeNode('Sigmoid', ['c'], ['s']), makeNode('Mul', ['c', 's'], ['y'])],
      [1, 2, 5, 4], [init('w', [3, 2, 3, 3], 30), init('b', [3], 31)]);
    const backend = { name: 'no-silu', getKernel: (op: string, domain: string, v: number) => (op === 'SiLU' ? undefined : cpuBackend.getKernel(op, domain, v)) };
    const { model: opt } = optimizeModel(m, { level: 'all', backend });
    expect(opCounts(opt.graph)).toEqual({ [FC]: 1 });
    expect(opt.graph.nodes[0]!.attrs.activation).toEqual({ type: 'string', value: 'SiLU' });
    const feeds = { x: f32([1, 2, 5, 4], 32) };
    const ref = await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(feeds);
    const out = await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(feeds);
    expectClose(out.y as Tensor, ref.y as Tensor, 1e-4, 'y');
  });
});
