// GEGLU fusion (src/optimize/fuse-geglu.ts): hidden * gelu(gate) over the two halves of X's last
// axis (Split or two Slices) → com.onnxflow GeGLU(X). Counts asserted; outputs match the
// unoptimized graph and onnxruntime-node within 1e-4 relative (the fused Gelu evaluates erf in double).
import { describe, expect, it } from 'vitest';
import { expectElementwiseClose } from '../helpers/close.js';
import { makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { inferShapes } from '../../src/ir/shape/infer.js';
import { randomFloats } from '../helpers/rng.js';
import { runOrt } from '../helpers/ort.js';

const X = [2, 5, 12];
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed).map((v) => v * 3), dims);
const i64 = (name: string, v: number[]) => makeTensor(name, 'int64', [v.length], BigInt64Array.from(v.map(BigInt)));

// Erf GELU as torch exports it: x * 0.5 * (1 + erf(x / sqrt 2)).
function gelu(x: string, out: string): { nodes: Node[]; inits: ReturnType<typeof makeTensor>[] } {
  return {
    nodes: [
      makeNode('Div', [x, 'sqrt2'], [`${out}_d`]), makeNode('Erf', [`${out}_d`], [`${out}_e`]), makeNode('Add', [`${out}_e`, 'one'], [`${out}_a`]),
      makeNode('Mul', [x, `${out}_a`], [`${out}_m`]), makeNode('Mul', [`${out}_m`, 'half'], [out]),
    ],
    inits: [makeTensor('sqrt2', 'float32', [], [Math.SQRT2]), makeTensor('one', 'float32', [], [1]), makeTensor('half', 'float32', [], [0.5])],
  };
}

function build(split: Node[], splitInits: ReturnType<typeof makeTensor>[], order: 'hg' | 'gh' = 'hg'): Model {
  const g = gelu('gate', 'gg');
  const mul = order === 'hg' ? makeNode('Mul', ['hidden', 'gg'], ['y']) : makeNode('Mul', ['gg', 'hidden'], ['y']);
  return makeModel(makeGraph([...split, ...g.nodes, mul], 'g', [vi('x', 'float32', X)], [vi('y', 'float32')], [...splitInits, ...g.inits]), { opsets: { '': 17 } });
}

async function check(m: Model, fused: number) {
  const { model: opt } = optimizeModel(m, { level: 'extended' });
  const c = opCounts(opt.graph);
  expect(c['com.onnxflow:GeGLU'] ?? 0).toBe(fused);
  if (fused) expect([c.Split ?? 0, c.Slice ?? 0, c.Erf ?? 0, c.Mul ?? 0]).toEqual([0, 0, 0, 0]);
  const feeds = { x: f32(X, 3) };
  const ref = (await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(feeds)).y as Tensor;
  const out = (await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(feeds)).y as Tensor;
  const ort = (await runOrt(encodeModel(m), feeds)).y!;
  expect(out.dims).toEqual([2, 5, 6]);
  expectElementwiseClose(out, ref, 'vs unoptimized');
  expectElementwiseClose(out, ort, 'vs onnxruntime');
  return opt;
}

describe('GEGLU fusion', () => {
  it('Split(x, [6, 6], axis=-1) → hidden * gelu(gate) becomes GeGLU', async () => {
    const opt = await check(build([makeNode('Split', ['x', 'sizes'], ['hidden', 'gate'], { axis: -1 })], [i64('sizes', [6, 6])]), 1);
    const node = opt.graph.nodes.find((n) => n.opType === 'GeGLU')!;
    expect(node.inputs).toEqual(['x']);
    expect(inferShapes(opt).values.get('y')?.shape).toEqual([2, 5, 6]);
  });

  it("torch's chunk(2, -1) as two Slices (either Mul operand order) becomes GeGLU", async () => {
    const slices = [makeNode('Slice', ['x', 's0', 'e0', 'ax'], ['hidden']), makeNode('Slice', ['x', 'e0', 'big', 'ax'], ['gate'])];
    const inits = [i64('s0', [0]), i64('e0', [6]), i64('big', [2 ** 62]), i64('ax', [-1])];
    await check(build(slices, inits, 'hg'), 1);
    await check(build(slices, inits, 'gh'), 1);
  });

  it('leaves the gate in the first half, unequal splits and other axes alone', async () => {
    // gelu on the first half: not GEGLU's convention
    const swapped = [makeNode('Split', ['x', 'sizes'], ['gate', 'hidden'], { axis: 2 })];
    await check(build(swapped, [i64('sizes', [6, 6])]), 0);
    const unequal = [makeNode('Slice', ['x', 's0', 'e0', 'ax'], ['hidden']), makeNode('Slice', ['x', 'e1', 'big', 'ax'], ['gate'])];
    const m = build(unequal, [i64('s0', [0]), i64('e0', [6]), i64('e1', [5]), i64('big', [2 ** 62]), i64('ax', [-1])]);
    const { model: opt } = optimizeModel(m, { level: 'extended' });
    expect(opCounts(opt.graph)['com.onnxflow:GeGLU'] ?? 0).toBe(0);
  });
});
