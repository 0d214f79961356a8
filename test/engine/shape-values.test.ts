// Shape-derived values (src/engine/shape-values.ts): steps whose outputs depend only on the input
// shapes run once per input shapes and are replayed afterwards; anything whose shape depends on
// data (NonZero, a Reshape to a computed shape) keeps running. Results must be those of a fresh run.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { makeGraph, makeModel, makeNode, makeSequenceType, makeTensor, makeTensorType, makeTensorValueInfo as vi, makeValueInfo } from '../../src/onnx/builder.js';
import { InferenceSession } from '../../src/engine/session.js';
import { buildPlan, shapeDerivedOf } from '../../src/engine/plan.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import type { Model } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

const i64 = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);
const f32 = (v: number[], dims: number[]) => new Tensor('float32', Float32Array.from(v), dims);
const ints = (t: unknown) => [...((t as Tensor).data as BigInt64Array)].map(Number);

function flagsOf(model: Model): number[] {
  return [...shapeDerivedOf(buildPlan(model.graph, { backend: cpuBackend, opsets: model.opsets, functions: new Map() }, false))];
}

/** y = Reshape(x, [Shape(x)[0], -1]) and the flattened size as a second output: torch's flatten. */
function flatten(): Model {
  return makeModel(makeGraph([
    makeNode('Shape', ['x'], ['s']),
    makeNode('Gather', ['s', 'zero'], ['b'], { axis: 0 }),
    makeNode('Unsqueeze', ['b', 'axes'], ['b1']),
    makeNode('Concat', ['b1', 'minus1'], ['target'], { axis: 0 }),
    makeNode('Reshape', ['x', 'target'], ['y']),
    makeNode('Shape', ['y'], ['ys']),
  ], 'flatten', [vi('x', 'float32', ['n', 'c', 'h'])], [vi('y', 'float32'), vi('ys', 'int64')], [
    makeTensor('zero', 'int64', [], [0n]), makeTensor('axes', 'int64', [1], [0n]), makeTensor('minus1', 'int64', [1], [-1n]),
  ]), { opsets: { '': 17 } });
}

describe('shape-derived steps', () => {
  it('marks the Shape chain of a flatten, not the Reshape of data; Shape of its output is derived too', () => {
    expect(flagsOf(flatten())).toEqual([1, 1, 1, 1, 0, 1]);
  });

  it('replays them with the same input shapes, recomputes for new shapes, and matches fresh sessions', async () => {
    const events: string[] = [];
    const s = await InferenceSession.create(flatten(), { hooks: { onNode: (e) => events.push(e.opType) } });
    const x1 = f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const r1 = await s.run({ x: x1 });
    (r1.ys!.data as BigInt64Array)[1] = 77n; // the recording run's outputs are copies too
    const first = events.splice(0);
    const r2 = await s.run({ x: f32([8, 7, 6, 5, 4, 3, 2, 1], [2, 2, 2]) });
    const second = events.splice(0);
    expect(first).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Shape']);
    expect(second).toEqual(['Reshape']); // the rest replayed
    expect(r1.y!.dims).toEqual([2, 4]);
    expect([...(r2.y!.data as Float32Array)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    // the replayed graph output is a copy: changing it does not change later runs
    (r2.ys!.data as BigInt64Array)[0] = 99n;
    const r3 = await s.run({ x: x1 });
    expect(ints(r3.ys)).toEqual([2, 4]);
    expect(r3.y!.dims).toEqual([2, 4]);
    // other shapes: recorded afresh, then replayed; both as a fresh session computes them
    for (let rep = 0; rep < 2; rep++) {
      const x3 = f32([1, 2, 3, 4, 5, 6], [3, 1, 2]);
      const got = await s.run({ x: x3 });
      const fresh = await (await InferenceSession.create(flatten())).run({ x: x3 });
      expect(got.y!.dims).toEqual([3, 2]);
      expect(ints(got.ys)).toEqual(ints(fresh.ys));
    }
  });

  it('keeps running what depends on data: NonZero, and a Reshape to a shape given as an input', async () => {
    const model = makeModel(makeGraph([
      makeNode('NonZero', ['x'], ['nz']),
      makeNode('Shape', ['nz'], ['nzs']),
      makeNode('Reshape', ['x', 'target'], ['y']),
      makeNode('Shape', ['y'], ['ys']),
      makeNode('Shape', ['x'], ['xs']),
    ], 'data', [vi('x', 'float32', [6]), vi('target', 'int64', [2])], [vi('nzs', 'int64'), vi('ys', 'int64'), vi('xs', 'int64')]), { opsets: { '': 17 } });
    expect(flagsOf(model)).toEqual([0, 0, 0, 0, 1]);
    const s = await InferenceSession.create(model);
    const a = await s.run({ x: f32([1, 0, 2, 0, 0, 3], [6]), target: i64([2, 3]) });
    const b = await s.run({ x: f32([1, 1, 1, 1, 1, 0], [6]), target: i64([3, 2]) });
    expect([ints(a.nzs), ints(a.ys), ints(a.xs)]).toEqual([[1, 3], [2, 3], [6]]);
    expect([ints(b.nzs), ints(b.ys), ints(b.xs)]).toEqual([[1, 5], [3, 2], [6]]);
  });

  it('keys plans by the model\'s input order, not the feeds object\'s; sequence outputs do not alias the cache', async () => {
    const model = makeModel(makeGraph([
      makeNode('Shape', ['x'], ['s']),
      makeNode('Add', ['x', 'y'], ['z']),
      makeNode('SequenceConstruct', ['s'], ['seq']),
    ], 'order', [vi('x', 'float32', ['n']), vi('y', 'float32', ['n'])], [vi('z', 'float32'), makeValueInfo('seq', makeSequenceType(makeTensorType('int64')))]), { opsets: { '': 17 } });
    const ops: string[] = [];
    const s = await InferenceSession.create(model, { hooks: { onNode: (e) => ops.push(e.opType) } });
    const x = f32([1, 2, 3], [3]), y = f32([4, 5, 6], [3]);
    const first = await s.run({ x, y });
    ops.length = 0;
    const second = await s.run({ y, x });
    expect(ops).not.toContain('Shape'); // replayed: the same key in the other key order
    for (const r of [first, second]) (r.seq as unknown as Tensor[])[0]!.data[0] = 42n;
    const third = await s.run({ x, y });
    expect(ints((third.seq as unknown as Tensor[])[0])).toEqual([3]);
    expect([...(third.z!.data as Float32Array)]).toEqual([5, 7, 9]);
  });

  const unet = 'models/shapes-sd/unet/model.onnx';
  it.runIf(existsSync(unet))('the trained shapes UNet: ~150 steps replayed, outputs identical to a fresh session', async () => {
    let count = 0;
    const s = await InferenceSession.create(unet, { hooks: { onNode: () => count++ } });
    const feeds = (k: number) => ({
      sample: new Tensor('float32', Float32Array.from({ length: 2 * 4 * 64 }, (_, i) => Math.sin(i * k)), [2, 4, 8, 8]),
      timestep: new Tensor('float32', [100 * k], []),
      encoder_hidden_states: new Tensor('float32', Float32Array.from({ length: 2 * 77 * 64 }, (_, i) => Math.cos(i + k) * 0.5), [2, 77, 64]),
    });
    await s.run(feeds(1));
    const all = count;
    count = 0;
    const got = await s.run(feeds(2));
    expect(all - count).toBeGreaterThan(100);
    const fresh = await (await InferenceSession.create(unet)).run(feeds(2));
    expect(Buffer.from((got.out_sample!.data as Float32Array).buffer).equals(Buffer.from((fresh.out_sample!.data as Float32Array).buffer))).toBe(true);
  });
});
