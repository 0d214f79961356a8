// The native backend's bf16 precision (SessionOptions.precision 'bf16'): MatMul / Gemm / FusedGemm
// weights packed as bfloat16 and widened to fp32 in every ISA's microkernel. Each product must equal
// the fp32 product of the same activations with the weights rounded to bf16 (round to nearest even),
// and differ from the unrounded one (the bf16 path really ran); the pipelines keep their output; other
// backends and unknown precisions fail with a clear error. Skipped, with the reason, without the addon.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  InferenceSession, InputError, Tensor, encodeModel, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo,
  readImage, runPipeline, type AttrInput, type RgbImage,
} from '../../src/index.js';
import { nativeAddon, nativeStatus } from '../../src/backends/native/index.js';
import { randomFloats } from '../helpers/rng.js';
import { expectElementwiseClose, maxRelErr } from '../helpers/close.js';
import { psnr } from '../helpers/image.js';

process.env.ONNXFLOW_NATIVE_MIN_FLOPS = '0';

const status = nativeStatus();
let seed = 900;

/** fp32 -> nearest bf16 (ties to even) -> fp32, as the packing rounds; NaN stays NaN. */
function roundBf16(x: Float32Array): Float32Array {
  const u = new Uint32Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  for (let i = 0; i < u.length; i++) {
    const v = u[i]!;
    if ((v & 0x7fffffff) > 0x7f800000) { u[i] = (v | 0x400000) & 0xffff0000; continue; }
    u[i] = ((v + 0x7fff + ((v >>> 16) & 1)) >>> 16) << 16;
  }
  return new Float32Array(u.buffer);
}

const vi = (name: string, dims: number[]) => makeTensorValueInfo(name, 'float32', dims);

/**
 * `op` with input 0 fed and input 1 (the weight) constant; optional extra constants. Returns the
 * native bf16 output, the cpu fp32 output with the weight rounded to bf16, and the plain cpu output.
 */
async function run(nodes: { op: string; inputs: string[]; attrs?: Record<string, AttrInput> }[], xDims: number[], consts: Record<string, number[]>, outDims: number[]) {
  const x = new Tensor('float32', randomFloats(xDims.reduce((a, b) => a * b, 1), seed++), xDims);
  const data = Object.fromEntries(Object.entries(consts).map(([k, d]) => [k, randomFloats(d.reduce((a, b) => a * b, 1), seed++)]));
  const build = (round: boolean) => encodeModel(makeModel(makeGraph(
    nodes.map((n, i) => makeNode(n.op, n.inputs, [i === nodes.length - 1 ? 'y' : `t${i}`], n.attrs ?? {})), 'g', [vi('x', xDims)], [vi('y', outDims)],
    Object.entries(consts).map(([k, d]) => makeTensor(k, 'float32', d, round && k === 'w' ? roundBf16(data[k]!) : data[k]!)),
  ), { opsets: { '': 17 } }));
  const exact = build(false);
  const bf16 = await InferenceSession.create(exact, { backend: 'native', precision: 'bf16' });
  const out: Tensor[] = [];
  for (let r = 0; r < 2; r++) out.push((await bf16.run({ x })).y as Tensor);  // session-creation packing, then the cached panels
  const ref = (await (await InferenceSession.create(build(true), { backend: 'cpu' })).run({ x })).y as Tensor;
  const plain = (await (await InferenceSession.create(exact, { backend: 'cpu' })).run({ x })).y as Tensor;
  return { out, ref, plain };
}

if (!status.available) {
  console.warn(`\n[native bf16] SKIPPED: the native backend is unavailable: ${status.reason}\n`);
  describe.skip('native bf16 (addon unavailable)', () => { it('skipped', () => {}); });
} else {
  const addon = nativeAddon()!;
  const isas = status.info.isas;
  afterAll(() => { addon.setIsa(isas[0]!); });

  describe('native backend, precision bf16', () => {
    for (const isa of isas) {
      describe(`${isa} microkernel`, () => {
        it('MatMul / Gemm / FusedGemm with constant weights equal fp32 products of the bf16-rounded weights', async () => {
          expect(addon.setIsa(isa)).toBe(true);
          // M from 1 (GEMV: the whole K in one stream) to past a row block; N and K off the panel widths
          const shapes = [[1, 7, 5], [1, 300, 70], [2, 33, 17], [3, 64, 48], [4, 129, 31], [5, 16, 100], [13, 65, 33], [70, 257, 90]];
          for (const [M, K, N] of shapes) {
            const what = `${isa} MatMul ${M}x${K}x${N}`;
            const { out, ref, plain } = await run([{ op: 'MatMul', inputs: ['x', 'w'] }], [M!, K!], { w: [K!, N!] }, [M!, N!]);
            for (const o of out) expectElementwiseClose(o, ref, what, 2e-5);
            expect(maxRelErr(out[0]!, plain), `${what}: differs from the unrounded product`).toBeGreaterThan(1e-6);
          }
          // batched constant weights [2, K, N] against a [2, M, K] batch
          const b = await run([{ op: 'MatMul', inputs: ['x', 'w'] }], [2, 5, 40], { w: [2, 40, 24] }, [2, 5, 24]);
          for (const o of b.out) expectElementwiseClose(o, b.ref, `${isa} batched MatMul`, 2e-5);
          // Gemm with transB, alpha and a bias row
          const g = await run([{ op: 'Gemm', inputs: ['x', 'w', 'c'], attrs: { transB: 1, alpha: 0.5, beta: 2 } }], [6, 50], { w: [37, 50], c: [37] }, [6, 37]);
          for (const o of g.out) expectElementwiseClose(o, g.ref, `${isa} Gemm transB`, 2e-5);
          // MatMul + Add + Relu: the optimizer's FusedGemm (bias and activation in the epilogue)
          const f = await run([{ op: 'MatMul', inputs: ['x', 'w'] }, { op: 'Add', inputs: ['t0', 'c'] }, { op: 'Relu', inputs: ['t1'] }], [9, 70], { w: [70, 45], c: [45] }, [9, 45]);
          for (const o of f.out) expectElementwiseClose(o, f.ref, `${isa} FusedGemm`, 2e-5);
        });
      });
    }

    it('rounds each weight to the nearest bf16, ties to even; NaN and infinities survive', async () => {
      const w = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 2 ** -8 + 2 ** -20), 3.4e38, Infinity, -Infinity, NaN, 1e-40, 0.1, -2.5]);
      const model = encodeModel(makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['y'])], 'g', [vi('x', [1, 1])], [vi('y', [1, w.length])],
        [makeTensor('w', 'float32', [1, w.length], w)]), { opsets: { '': 17 } }));
      const s = await InferenceSession.create(model, { backend: 'native', precision: 'bf16' });
      const y = (await s.run({ x: new Tensor('float32', new Float32Array([1]), [1, 1]) })).y as Tensor;
      const want = roundBf16(w);
      expect(Array.from(want.slice(0, 3))).toEqual([1, 1 + 2 ** -6, -(1 + 2 ** -7)]);
      expect(want[3]).toBe(Infinity);  // the largest fp32 rounds past the largest bf16
      expect(Array.from(y.data as Float32Array)).toEqual(Array.from(want));
    });

    it('weights read inside an If branch are bf16 from the first run (packed at session creation)', async () => {
      const w = randomFloats(64 * 48, 31);
      const branch = (name: string) => makeGraph([makeNode('MatMul', ['x', 'w'], [`${name}_y`])], name, [], [vi(`${name}_y`, [3, 48])]);
      const model = encodeModel(makeModel(makeGraph([makeNode('If', ['c'], ['y'], { then_branch: branch('then'), else_branch: branch('else') })], 'g',
        [vi('x', [3, 64]), makeTensorValueInfo('c', 'bool', [])], [vi('y', [3, 48])], [makeTensor('w', 'float32', [64, 48], w)]), { opsets: { '': 17 } }));
      const feeds = { x: new Tensor('float32', randomFloats(3 * 64, 32), [3, 64]), c: new Tensor('bool', new Uint8Array([1]), []) };
      const s = await InferenceSession.create(model, { backend: 'native', precision: 'bf16' });
      const first = (await s.run(feeds)).y as Tensor, second = (await s.run(feeds)).y as Tensor;
      expect(Buffer.from((second.data as Float32Array).buffer)).toEqual(Buffer.from((first.data as Float32Array).buffer));
      const rounded = encodeModel(makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['y'])], 'g', [vi('x', [3, 64])], [vi('y', [3, 48])],
        [makeTensor('w', 'float32', [64, 48], roundBf16(w))]), { opsets: { '': 17 } }));
      const ref = (await (await InferenceSession.create(rounded, { backend: 'cpu' })).run({ x: feeds.x })).y as Tensor;
      expectElementwiseClose(first, ref, 'If branch MatMul, first run', 2e-5);
    });

    it('is deterministic: two sessions give the same bytes', async () => {
      const bytes = () => run([{ op: 'MatMul', inputs: ['x', 'w'] }], [3, 200], { w: [200, 64] }, [3, 64]);
      seed = 5;
      const a = (await bytes()).out[0]!;
      seed = 5;
      const b = (await bytes()).out[0]!;
      expect(Buffer.from((b.data as Float32Array).buffer)).toEqual(Buffer.from((a.data as Float32Array).buffer));
    });

    it('an fp32 and a bf16 session over the same model object keep their own panels', async () => {
      const w = randomFloats(64 * 32, 77);
      const model = makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['y'])], 'g', [vi('x', [2, 64])], [vi('y', [2, 32])],
        [makeTensor('w', 'float32', [64, 32], w)]), { opsets: { '': 17 } });
      const x = new Tensor('float32', randomFloats(128, 78), [2, 64]);
      const s32 = await InferenceSession.create(model, { backend: 'native' });
      const s16 = await InferenceSession.create(model, { backend: 'native', precision: 'bf16' });
      const cpu = (await (await InferenceSession.create(model, { backend: 'cpu' })).run({ x })).y as Tensor;
      for (let r = 0; r < 2; r++) {
        expectElementwiseClose((await s32.run({ x })).y as Tensor, cpu, 'fp32 session', 1e-5);
        expect(maxRelErr((await s16.run({ x })).y as Tensor, cpu)).toBeGreaterThan(1e-6);
      }
    });

    it('rejects bf16 where it does not exist, and unknown precisions, with a clear error', async () => {
      const model = encodeModel(makeModel(makeGraph([makeNode('Relu', ['x'], ['y'])], 'g', [vi('x', [2])], [vi('y', [2])]), { opsets: { '': 17 } }));
      await expect(InferenceSession.create(model, { backend: 'cpu', precision: 'bf16' })).rejects.toThrow(/precision 'bf16' is not available on backend 'cpu'/);
      await expect(InferenceSession.create(model, { backend: 'ort', precision: 'bf16' })).rejects.toThrow(InputError);
      await expect(InferenceSession.create(model, { backend: 'native', precision: 'fp16' as 'bf16' })).rejects.toThrow(/precision must be 'fp32' or 'bf16'/);
    });

    it('addon: bf16 panels must be a Uint16Array, packed, in bounds, of an even width', async () => {
      const src = new Float32Array(8 * 4), nr = status.info.nr;
      const dst = new Uint16Array(nr * 4);
      expect(() => addon.packPanels({ src, rs: 1, ks: 8, rows: 8, K: 4, P: nr, dst: new Float32Array(nr * 4), bf16: true, sync: true })).toThrow(/Uint16Array/);
      expect(() => addon.packPanels({ src, rs: 1, ks: 8, rows: 8, K: 4, P: 3, dst, bf16: true, sync: true })).toThrow(/even width/);
      addon.packPanels({ src, rs: 1, ks: 8, rows: 8, K: 4, P: nr, dst, bf16: true, sync: true });
      const a = new Float32Array(4), c = new Float32Array(8);
      const base = { M: 1, N: 8, K: 4, a, aRs: 4, aKs: 1, c, sync: true, bf16: true };
      expect(() => addon.gemm({ ...base, b: dst, bPacked: false, bRs: 1, bKs: 8 })).toThrow(/must be packed/);
      expect(() => addon.gemm({ ...base, b: new Float32Array(nr * 4), bPacked: true })).toThrow(/Uint16Array/);
      expect(() => addon.gemm({ ...base, K: 5, a: new Float32Array(5), aRs: 5, b: dst, bPacked: true })).toThrow(/out of bounds/);
      expect(addon.gemm({ ...base, b: dst, bPacked: true })).toBeUndefined();
    });

    it('the default pipelines keep their output: the Whisper transcript, and the image within 45 dB', async () => {
      const { text } = await runPipeline('pipelines/whisper.yaml', join('docs/audio/five-five-zero-three-four.wav'), { backend: 'native', precision: 'bf16' });
      expect(String(text).trim()).toBe('five five zero three four');
      const { images } = await runPipeline('pipelines/stable-diffusion.yaml', 'a red circle on a blue background', { seed: 42, steps: 20, backend: 'native', precision: 'bf16' });
      const ref = await readImage('docs/images/red-circle-blue.png');
      expect(psnr((images as RgbImage[])[0]!, ref)).toBeGreaterThanOrEqual(45);
    });
  });
}
