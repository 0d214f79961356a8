// Weights a native session reads only as packed panels are released after packing (tensor.ts,
// onnx/weight-source.ts): the session holds one copy, anything that reads the tensor later gets the
// elements read back from the model file, and a file changed since the load is a clear error.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InferenceSession, Tensor, encodeModel, intsAttr, loadModelFile, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo,
} from '../../src/index.js';
import { nativeStatus } from '../../src/backends/native/index.js';
import { randomFloats } from '../helpers/rng.js';

const status = nativeStatus();
const dir = mkdtempSync(join(tmpdir(), 'onnxflow-release-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vi = (name: string, dims: number[]) => makeTensorValueInfo(name, 'float32', dims);

/** MatMul by w (packed only), Conv by k (packed only; Winograd), and e read by a Gather too (kept). */
function model() {
  const w = randomFloats(64 * 48, 1), k = randomFloats(24 * 16 * 9, 2), e = randomFloats(64 * 64, 3);
  const bytes = encodeModel(makeModel(makeGraph([
    makeNode('MatMul', ['x', 'w'], ['y']),
    makeNode('Conv', ['img', 'k'], ['z'], { pads: intsAttr([1, 1, 1, 1]) }),
    makeNode('MatMul', ['x', 'e'], ['u']),
    makeNode('Gather', ['e', 'idx'], ['g'], { axis: 0 }),
  ], 'g', [vi('x', [5, 64]), vi('img', [1, 16, 10, 10]), makeTensorValueInfo('idx', 'int64', [2])],
  [vi('y', [5, 48]), vi('z', [1, 24, 10, 10]), vi('u', [5, 64]), vi('g', [2, 64])],
  [makeTensor('w', 'float32', [64, 48], w), makeTensor('k', 'float32', [24, 16, 3, 3], k), makeTensor('e', 'float32', [64, 64], e)]),
  { opsets: { '': 17 } }));
  return { bytes, w, k, e };
}

const feeds = {
  x: new Tensor('float32', randomFloats(5 * 64, 4), [5, 64]),
  img: new Tensor('float32', randomFloats(16 * 100, 5), [1, 16, 10, 10]),
  idx: new Tensor('int64', new BigInt64Array([3n, 60n]), [2]),
};

if (!status.available) {
  console.warn(`\n[native] SKIPPED: the native backend is unavailable: ${status.reason}\n`);
  describe.skip('weights released after packing (addon unavailable)', () => { it('skipped', () => {}); });
} else {
  describe('weights released after packing', () => {
    it('drops the originals only packed kernels read, reads them back from the file on demand, same outputs', async () => {
      const { bytes, w, k, e } = model();
      const path = join(dir, 'model.onnx');
      writeFileSync(path, bytes);
      const s = await InferenceSession.create(path, { backend: 'native' });
      const inits = s.optimizedModel.graph.initializers;
      expect(inits.get('w')!.released).toBe(true);
      expect(inits.get('k')!.released).toBe(true);
      expect(inits.get('e')!.released).toBe(false);  // the Gather reads it as it is
      const ref = await (await InferenceSession.create(bytes, { backend: 'cpu' })).run(feeds);
      const out = await s.run(feeds);
      for (const name of ['y', 'z', 'u', 'g']) {
        const a = out[name]!.data as Float32Array, b = ref[name]!.data as Float32Array;
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[i]!)));
      }
      expect(inits.get('w')!.released).toBe(true);  // running did not bring them back
      // read back, bit for bit, and kept from then on
      expect(inits.get('w')!.data).toEqual(w);
      expect(inits.get('w')!.released).toBe(false);
      expect(inits.get('k')!.data).toEqual(k);
      expect(inits.get('e')!.data).toEqual(e);
      // a model given as bytes has no file to read back from: nothing is released
      const fromBytes = await InferenceSession.create(bytes, { backend: 'native' });
      expect(fromBytes.optimizedModel.graph.initializers.get('w')!.released).toBe(false);
    });

    it('a large weight read from its file on first use is packed and released again, never read twice', async () => {
      const K = 128, N = 256;  // 128 KB: deferred at load (onnx/tensor-proto.ts DEFERRED_BYTES)
      const big = randomFloats(K * N, 6);
      const bytes = encodeModel(makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['y'])], 'g', [vi('x', [5, K])], [vi('y', [5, N])],
        [makeTensor('w', 'float32', [K, N], big)]), { opsets: { '': 17 } }));
      const path = join(dir, 'big.onnx');
      writeFileSync(path, bytes);
      const s = await InferenceSession.create(path, { backend: 'native' });
      const w = s.optimizedModel.graph.initializers.get('w')!;
      expect(w.released).toBe(true);
      const x = { x: new Tensor('float32', randomFloats(5 * K, 7), [5, K]) };
      const ref = (await (await InferenceSession.create(bytes, { backend: 'cpu' })).run(x)).y!.data as Float32Array;
      const got = (await s.run(x)).y!.data as Float32Array;
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(ref[i]!)));
      expect(w.released).toBe(true);
      expect(w.data).toEqual(big);
    });

    it('one loaded model shared by a native and a cpu session: the cpu session holds the weight it reads', async () => {
      const K = 128, N = 256;
      const big = randomFloats(K * N, 8);
      const bytes = encodeModel(makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['y'])], 'g', [vi('x', [5, K])], [vi('y', [5, N])],
        [makeTensor('w', 'float32', [K, N], big)]), { opsets: { '': 17 } }));
      const path = join(dir, 'shared.onnx');
      writeFileSync(path, bytes);
      const m = loadModelFile(path);  // as pipelines share a model between sessions
      const nat = await InferenceSession.create(m, { backend: 'native' });
      const w = m.graph.initializers.get('w')!;
      expect(w.released).toBe(true);  // the native session holds it packed only
      const cpu = await InferenceSession.create(m, { backend: 'cpu' });
      expect(w.released).toBe(false);  // the cpu session reads it as it is: read in at its creation
      writeFileSync(path, new Uint8Array(8));  // the file may change from then on
      const x = { x: new Tensor('float32', randomFloats(5 * K, 9), [5, K]) };
      const a = (await nat.run(x)).y!.data as Float32Array, b = (await cpu.run(x)).y!.data as Float32Array;
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[i]!)));
    });

    it('a model file changed since the load: reading a released weight is a clear error', async () => {
      const { bytes } = model();
      const path = join(dir, 'changed.onnx');
      writeFileSync(path, bytes);
      const s = await InferenceSession.create(path, { backend: 'native' });
      const w = s.optimizedModel.graph.initializers.get('w')!;
      expect(w.released).toBe(true);
      utimesSync(path, new Date(), new Date(Date.now() + 5000));
      expect(() => w.data).toThrow(/changed since the model was loaded/);
      rmSync(path);
      expect(() => w.data).toThrow(/is gone/);
      // the session itself runs on from its packed copy
      expect((await s.run(feeds)).y!.dims).toEqual([5, 48]);
    });
  });
}
