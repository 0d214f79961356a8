// Large initializers of a model loaded from a path (raw_data in the .onnx file, or external data) are
// read from the file on first use (onnx/weight-source.ts, Tensor.deferred): loading a large model never
// holds the file's bytes and a decoded copy of every weight at once. A session reads in what it runs
// from at creation; a file that changed before a weight was read is a clear error.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InferenceSession, Tensor, encodeModel, loadModelFile, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo,
} from '../../src/index.js';
import { ModelProto } from '../../src/onnx/proto.js';
import { modelProto } from '../../src/onnx/encode.js';
import { DEFERRED_BYTES } from '../../src/onnx/tensor-proto.js';
import { randomFloats } from '../helpers/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'onnxflow-deferred-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const K = 128, N = 256;  // w: 128 KB, above DEFERRED_BYTES; b: 1 KB, below
const vi = (name: string, dims: number[]) => makeTensorValueInfo(name, 'float32', dims);
const w = randomFloats(K * N, 1), b = randomFloats(N, 2);
const graph = () => makeGraph([makeNode('MatMul', ['x', 'w'], ['xw']), makeNode('Add', ['xw', 'b'], ['y'])], 'g',
  [vi('x', [3, K])], [vi('y', [3, N])], [makeTensor('w', 'float32', [K, N], w), makeTensor('b', 'float32', [N], b)]);
const bytes = encodeModel(makeModel(graph(), { opsets: { '': 17 } }));
const feeds = { x: new Tensor('float32', randomFloats(3 * K, 3), [3, K]) };

function place(name: string, data: Uint8Array = bytes): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** Make the file look changed (its modification time) without changing its size. */
const touch = (path: string) => utimesSync(path, new Date(), new Date(Date.now() + 5000));

describe('weights read from the model file on first use', () => {
  it('defers large initializers only, and reads them bit for bit', () => {
    expect(K * N * 4).toBeGreaterThanOrEqual(DEFERRED_BYTES);
    const m = loadModelFile(place('load.onnx'));
    const tw = m.graph.initializers.get('w')!, tb = m.graph.initializers.get('b')!;
    expect(tw.released).toBe(true);
    expect(tw.dims).toEqual([K, N]);
    expect(tw.size).toBe(K * N);
    expect(tb.released).toBe(false);
    expect(tw.data).toEqual(w);
    expect(tw.released).toBe(false);  // read once, then kept
  });

  it('a session reads what it runs from at creation: the file may change afterwards', async () => {
    const path = place('session.onnx');
    const s = await InferenceSession.create(path);
    expect(s.optimizedModel.graph.initializers.get('w')!.released).toBe(false);
    const ref = await (await InferenceSession.create(bytes)).run(feeds);
    writeFileSync(path, new Uint8Array(16));  // overwritten
    const out = await s.run(feeds);
    expect(out.y!.data).toEqual(ref.y!.data);
  });

  it('a file changed before a weight was read: a clear error, at creation or on access', async () => {
    const path = place('changed.onnx');
    const m = loadModelFile(path);
    touch(path);
    expect(() => m.graph.initializers.get('w')!.data).toThrow(/changed since the model was loaded/);
    await expect(InferenceSession.create(m)).rejects.toThrow(/changed since the model was loaded/);
    rmSync(path);
    expect(() => m.graph.initializers.get('w')!.data).toThrow(/is gone/);
  });

  it('external data is deferred too, its range checked at load', async () => {
    const p = modelProto(makeModel(graph(), { opsets: { '': 17 } })) as { graph: { initializer: Record<string, unknown>[] } };
    const init = p.graph.initializer.find((t) => t.name === 'w')!;
    delete init.raw_data;
    init.data_location = 1;
    init.external_data = [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: '8' }, { key: 'length', value: String(K * N * 4) }];
    const path = place('external.onnx', ModelProto.encode(ModelProto.fromObject(p)).finish());
    writeFileSync(join(dir, 'w.bin'), Buffer.concat([Buffer.alloc(8), Buffer.from(w.buffer)]));
    const m = loadModelFile(path);
    expect(m.graph.initializers.get('w')!.released).toBe(true);
    const ref = await (await InferenceSession.create(bytes)).run(feeds);
    expect((await (await InferenceSession.create(path)).run(feeds)).y!.data).toEqual(ref.y!.data);
    // a length that is not the tensor's size fails at load, before anything is read
    init.external_data = [{ key: 'location', value: 'w.bin' }, { key: 'length', value: String(K * N * 4 - 4) }];
    const bad = place('external-bad.onnx', ModelProto.encode(ModelProto.fromObject(p)).finish());
    expect(() => loadModelFile(bad)).toThrow(/external data has 131068 bytes but float32\[32768\] needs 131072/);
  });

  it('a model given as bytes is decoded at once (no file to read from)', async () => {
    const s = await InferenceSession.create(bytes);
    expect(s.model.graph.initializers.get('w')!.released).toBe(false);
  });
});
