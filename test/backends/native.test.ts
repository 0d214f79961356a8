// The native backend (C++ SIMD kernels, kernels/) against the cpu reference and onnxruntime-node: randomized shapes
// (odd sizes, tails, K not a multiple of the vector width, batched broadcasting, Gemm transposes /
// alpha / beta / C shapes, Conv strides / pads / groups / dilations), every ISA path this CPU can
// run, and the ONNX conformance tests of the ops it implements. Skipped, with the reason, when the
// addon is not built.
import { afterAll, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import {
  InferenceSession, Tensor, encodeModel, floatAttr, intsAttr, makeGraph, makeModel, makeNode, makeTensor,
  makeTensorValueInfo, type AttrInput, type Model,
} from '../../src/index.js';
import { nativeAddon, nativeStatus } from '../../src/backends/native/index.js';
import { randomFloats } from '../helpers/rng.js';
import { expectElementwiseClose as expectClose } from '../helpers/close.js';
import { runOrt } from '../helpers/ort.js';

// Tiny products would otherwise go to the cpu kernel; test the native path on every size.
process.env.ONNXFLOW_NATIVE_MIN_FLOPS = '0';
process.env.ONNXFLOW_NATIVE_MIN_ELEMS = '0';

const status = nativeStatus();
let seed = 100;

const vi = (name: string, dims: number[]) => makeTensorValueInfo(name, 'float32', dims);
const rand = (dims: number[]) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed++), dims);

/** One-node model; inputs listed in `consts` become initializers. Runs on cpu, native (three times: arena and replay from the second run) and onnxruntime-node. */
async function check(op: string, inputs: Record<string, number[]>, outDims: number[], attrs: Record<string, AttrInput> = {}, consts: string[] = [], what = op, opset = 17) {
  const data: Record<string, Tensor> = {};
  for (const [k, d] of Object.entries(inputs)) data[k] = rand(d);
  const names = Object.keys(inputs);
  const model: Model = makeModel(makeGraph(
    [makeNode(op, names, ['y'], attrs)], 'g',
    names.filter((n) => !consts.includes(n)).map((n) => vi(n, inputs[n]!)), [vi('y', outDims)],
    consts.map((n) => makeTensor(n, 'float32', inputs[n]!, data[n]!.data as Float32Array)),
  ), { opsets: { '': opset } });
  const bytes = encodeModel(model);
  const feeds: Record<string, Tensor> = {};
  for (const n of names) if (!consts.includes(n)) feeds[n] = data[n]!;
  const ref = (await (await InferenceSession.create(bytes, { backend: 'cpu' })).run(feeds)).y as Tensor;
  const s = await InferenceSession.create(bytes, { backend: 'native' });
  for (let run = 0; run < 3; run++) expectClose((await s.run(feeds)).y as Tensor, ref, `${what} (run ${run})`);
  // and onnxruntime-node on the same bytes and feeds (the reference the issue names)
  expectClose((await runOrt(bytes, feeds)).y!, ref, `${what} (onnxruntime-node vs cpu)`);
}

function randInt(lo: number, hi: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return lo + (seed % (hi - lo + 1));
}

if (!status.available) {
  console.warn(`\n[native] SKIPPED: the native backend is unavailable: ${status.reason}\n`);
  describe.skip('native backend (addon unavailable)', () => { it('skipped', () => {}); });
} else {
  const addon = nativeAddon()!;
  const isas = status.info.isas;
  afterAll(() => { addon.setIsa(isas[0]!); });

  describe(`native backend (${status.info.isa} ${status.info.mr}x${status.info.nr}, ${status.info.threads} threads)`, () => {
    for (const isa of isas) {
      describe(`${isa} microkernel`, () => {
        it('selects the path', () => {
          expect(addon.setIsa(isa)).toBe(true);
          expect(addon.info().isa).toBe(isa);
        });

        it('MatMul: odd sizes, tails, K off the vector width', async () => {
          const shapes = [[1, 1, 1], [1, 7, 1], [3, 5, 7], [13, 17, 33], [15, 33, 31], [29, 65, 513], [64, 48, 16], [7, 300, 1]];
          for (let i = 0; i < 6; i++) shapes.push([randInt(1, 70), randInt(1, 300), randInt(1, 90)]);
          for (const [M, K, N] of shapes) {
            await check('MatMul', { a: [M!, K!], b: [K!, N!] }, [M!, N!], {}, [], `MatMul ${M}x${K}x${N}`);
            await check('MatMul', { a: [M!, K!], b: [K!, N!] }, [M!, N!], {}, ['b'], `MatMul ${M}x${K}x${N} const B`);
          }
        });

        it('MatMul: batched broadcasting and 1-D operands', async () => {
          const cases: [number[], number[], number[]][] = [
            [[2, 1, 5, 19], [3, 19, 6], [2, 3, 5, 6]],
            [[4, 9, 33], [33, 17], [4, 9, 17]],
            [[9, 33], [3, 33, 17], [3, 9, 17]],
            [[2, 3, 14, 40], [2, 3, 40, 35], [2, 3, 14, 35]],
            [[1, 3, 6, 8], [2, 1, 8, 5], [2, 3, 6, 5]],
            [[37], [37, 20], [20]],
            [[5, 37], [37], [5]],
            [[2, 4, 37], [37], [2, 4]],
          ];
          for (const [a, b, y] of cases) {
            await check('MatMul', { a, b }, y, {}, [], `MatMul [${a}]x[${b}]`);
            await check('MatMul', { a, b }, y, {}, ['b'], `MatMul [${a}]x[${b}] const B`);
          }
        });

        it('Gemm: transposes, alpha, beta, C broadcasting', async () => {
          for (const [M, K, N] of [[1, 5, 3], [17, 33, 19], [30, 70, 45], [6, 16, 32]]) {
            for (const transA of [0, 1]) {
              for (const transB of [0, 1]) {
                const a = transA ? [K!, M!] : [M!, K!];
                const b = transB ? [N!, K!] : [K!, N!];
                const attrs = { transA, transB, alpha: floatAttr(0.75), beta: floatAttr(1.5) };
                const tag = `Gemm ${M}x${K}x${N} tA=${transA} tB=${transB}`;
                await check('Gemm', { a, b }, [M!, N!], attrs, [], `${tag} no C`);
                for (const c of [[], [N!], [1, N!], [M!, 1], [M!, N!], [1, 1]]) {
                  await check('Gemm', { a, b, c }, [M!, N!], attrs, [], `${tag} C [${c}]`);
                }
                await check('Gemm', { a, b, c: [N!] }, [M!, N!], { transA, transB }, ['b', 'c'], `${tag} const B, bias`);
              }
            }
          }
        });

        it('Conv: strides, pads, groups, dilations, 1-D, 1x1, auto_pad', async () => {
          type C = { x: number[]; w: number[]; y: number[]; attrs?: Record<string, AttrInput>; bias?: boolean };
          const cases: C[] = [
            { x: [1, 3, 9, 11], w: [5, 3, 3, 3], y: [1, 5, 7, 9] },
            { x: [2, 4, 10, 9], w: [6, 4, 3, 2], y: [2, 6, 5, 5], attrs: { strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [1, 6, 12, 13], w: [4, 3, 3, 3], y: [1, 4, 8, 9], attrs: { group: 2, dilations: intsAttr([2, 2]) }, bias: true },
            { x: [1, 8, 7, 40], w: [16, 8, 1, 1], y: [1, 16, 7, 40], bias: true },
            { x: [1, 5, 33, 35], w: [7, 5, 3, 3], y: [1, 7, 33, 35], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [1, 3, 20, 21], w: [4, 3, 5, 3], y: [1, 4, 20, 11], attrs: { auto_pad: 'SAME_UPPER', strides: intsAttr([1, 2]) } },
            { x: [1, 4, 8, 8], w: [8, 2, 3, 3], y: [1, 8, 3, 3], attrs: { group: 2, strides: intsAttr([3, 3]), pads: intsAttr([2, 1, 0, 2]), dilations: intsAttr([1, 2]) } },
            { x: [2, 3, 50], w: [5, 3, 4], y: [2, 5, 24], attrs: { strides: intsAttr([2]), pads: intsAttr([1, 0]) }, bias: true },
            { x: [1, 4, 9, 9], w: [4, 1, 3, 3], y: [1, 4, 7, 7], attrs: { group: 4 } },
            // depthwise (direct loop): channel multiplier 2, strides, pads, dilations; bias
            { x: [2, 3, 10, 11], w: [6, 1, 3, 3], y: [2, 6, 5, 6], attrs: { group: 3, strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [1, 8, 12, 12], w: [8, 1, 5, 5], y: [1, 8, 8, 8], attrs: { group: 8, dilations: intsAttr([2, 2]), pads: intsAttr([2, 2, 2, 2]) }, bias: true },
            // small images: microkernel panels span several output rows (8x8 latents; width 5 splits a
            // 16-wide panel 5+5+5+1), and K blocks that start inside a (c, kh, kw) window (C = 100)
            { x: [2, 16, 8, 8], w: [24, 16, 3, 3], y: [2, 24, 8, 8], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [1, 6, 5, 5], w: [7, 6, 3, 3], y: [1, 7, 5, 5], attrs: { pads: intsAttr([1, 1, 1, 1]) } },
            { x: [1, 5, 9, 7], w: [6, 5, 3, 3], y: [1, 6, 5, 4], attrs: { strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) } },
            { x: [1, 100, 6, 7], w: [8, 100, 3, 3], y: [1, 8, 6, 7], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            // direct convolution (stride-1 rows of 8 or 16 outputs, up to 256 positions): 8x8 latents with
            // more rows than a task's share, a last tile of one 8-segment (3x8), groups, a row stride,
            // dilation, no padding (read in place), a 5x5 kernel; and 4x4 (gathered) with K past one block
            { x: [2, 64, 4, 4], w: [40, 64, 3, 3], y: [2, 40, 4, 4], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [2, 40, 8, 8], w: [64, 40, 3, 3], y: [2, 64, 8, 8], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [1, 12, 3, 8], w: [13, 12, 3, 3], y: [1, 13, 3, 8], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [2, 8, 8, 8], w: [10, 4, 3, 3], y: [2, 10, 8, 8], attrs: { group: 2, pads: intsAttr([1, 1, 1, 1]) } },
            { x: [1, 6, 9, 10], w: [5, 6, 3, 3], y: [1, 5, 4, 8], attrs: { strides: intsAttr([2, 1]) }, bias: true },
            { x: [1, 4, 12, 12], w: [6, 4, 3, 3], y: [1, 6, 8, 8], attrs: { dilations: intsAttr([2, 2]) } },
            { x: [1, 3, 16, 16], w: [7, 3, 5, 5], y: [1, 7, 16, 16], attrs: { pads: intsAttr([2, 2, 2, 2]) }, bias: true },
            // Winograd F(2x2, 3x3) (3x3, stride 1, one group, 16+ channels): odd outputs (cropped tiles),
            // no pads, asymmetric pads, several tile blocks (a 40x37 output: 380 tiles), batch 2 on 4x4
            { x: [1, 17, 13, 11], w: [19, 17, 3, 3], y: [1, 19, 13, 11], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [2, 32, 9, 7], w: [16, 32, 3, 3], y: [2, 16, 7, 5] },
            { x: [1, 16, 10, 12], w: [21, 16, 3, 3], y: [1, 21, 9, 12], attrs: { pads: intsAttr([0, 2, 1, 0]) }, bias: true },
            { x: [1, 16, 40, 37], w: [24, 16, 3, 3], y: [1, 24, 40, 37], attrs: { auto_pad: 'SAME_UPPER' }, bias: true },
            { x: [2, 70, 4, 4], w: [33, 70, 3, 3], y: [2, 33, 4, 4], attrs: { pads: intsAttr([1, 1, 1, 1]) } },
            // large images (gathered panels over several column blocks): groups, a row stride, dilation,
            // a partial last panel (OW 70), K past one block (C = 48)
            { x: [1, 48, 64, 64], w: [20, 48, 3, 3], y: [1, 20, 64, 64], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
            { x: [2, 4, 130, 70], w: [6, 2, 3, 3], y: [2, 6, 63, 70], attrs: { group: 2, strides: intsAttr([2, 1]), pads: intsAttr([0, 1, 0, 1]), dilations: intsAttr([2, 1]) } },
          ];
          for (const c of cases) {
            const inputs: Record<string, number[]> = { x: c.x, w: c.w };
            if (c.bias) inputs.b = [c.w[0]!];
            const tag = `Conv x[${c.x}] w[${c.w}] ${JSON.stringify(c.attrs ?? {})}`;
            await check('Conv', inputs, c.y, c.attrs, [], tag);
            await check('Conv', inputs, c.y, c.attrs, c.bias ? ['w', 'b'] : ['w'], `${tag} const W`);
          }
        });

        it('MaxPool / AveragePool (pads, strides, dilations, ceil_mode, count_include_pad, 1-D), ConvTranspose and InstanceNormalization', async () => {
          const pools: [string, number[], number[], Record<string, AttrInput>][] = [
            ['MaxPool', [2, 3, 9, 11], [2, 3, 4, 5], { kernel_shape: intsAttr([3, 3]), strides: intsAttr([2, 2]) }],
            ['MaxPool', [1, 4, 8, 8], [1, 4, 5, 5], { kernel_shape: intsAttr([2, 2]), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]), ceil_mode: 0 }],
            ['MaxPool', [1, 2, 10, 9], [1, 2, 4, 4], { kernel_shape: intsAttr([3, 2]), strides: intsAttr([2, 2]), dilations: intsAttr([2, 2]), ceil_mode: 1 }],
            ['AveragePool', [2, 3, 9, 11], [2, 3, 5, 6], { kernel_shape: intsAttr([3, 3]), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) }],
            ['AveragePool', [2, 3, 9, 11], [2, 3, 5, 6], { kernel_shape: intsAttr([3, 3]), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]), count_include_pad: 1 }],
            ['AveragePool', [1, 2, 7, 7], [1, 2, 3, 3], { kernel_shape: intsAttr([3, 3]), strides: intsAttr([3, 3]), ceil_mode: 1, pads: intsAttr([0, 1, 0, 1]), count_include_pad: 1 }],
            ['AveragePool', [2, 5, 30], [2, 5, 10], { kernel_shape: intsAttr([4]), strides: intsAttr([3]), pads: intsAttr([1, 1]) }],
            ['MaxPool', [1, 3, 12, 12], [1, 3, 12, 12], { kernel_shape: intsAttr([3, 3]), auto_pad: 'SAME_UPPER' }],
          ];
          for (const [op, x, y, attrs] of pools) await check(op, { x }, y, attrs, [], `${op} x[${x}] ${JSON.stringify(attrs)}`, 19);
          const ct: [number[], number[], number[], Record<string, AttrInput>, boolean][] = [
            [[1, 4, 5, 6], [4, 3, 3, 3], [1, 3, 10, 12], { strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]), output_padding: intsAttr([1, 1]) }, true],
            [[2, 6, 4, 4], [6, 2, 4, 4], [2, 4, 8, 8], { group: 2, strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) }, true],
            [[1, 3, 5, 5], [3, 5, 3, 2], [1, 5, 9, 8], { dilations: intsAttr([2, 3]) }, false],
            [[1, 5, 7, 6], [5, 4, 3, 3], [1, 4, 14, 12], { strides: intsAttr([2, 2]), auto_pad: 'SAME_UPPER' }, true],
            [[2, 3, 20], [3, 4, 5], [2, 4, 42], { strides: intsAttr([2]), pads: intsAttr([1, 1]), output_padding: intsAttr([1]) }, true],
            [[1, 32, 16, 16], [32, 24, 4, 4], [1, 24, 32, 32], { strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) }, true],
          ];
          for (const [x, w, y, attrs, withBias] of ct) {
            const ins: Record<string, number[]> = withBias ? { x, w, b: [y[1]!] } : { x, w };
            await check('ConvTranspose', ins, y, attrs, withBias ? ['w', 'b'] : ['w'], `ConvTranspose x[${x}] w[${w}] ${JSON.stringify(attrs)}`);
          }
          await check('InstanceNormalization', { x: [2, 6, 7, 9], s: [6], b: [6] }, [2, 6, 7, 9], { epsilon: floatAttr(1e-4) }, ['s', 'b'], 'InstanceNormalization 2x6x7x9');
          await check('InstanceNormalization', { x: [1, 3, 40], s: [3], b: [3] }, [1, 3, 40], {}, [], 'InstanceNormalization 1-D');
        });

        it('Attention: fused blockwise softmax (4-D, 3-D, GQA, causal, decode, scale)', async () => {
          const cases: [number[], number[], number[], number[], Record<string, AttrInput>][] = [
            [[2, 4, 37, 16], [2, 2, 70, 16], [2, 2, 70, 24], [2, 4, 37, 24], {}],
            [[2, 4, 37, 16], [2, 2, 70, 16], [2, 2, 70, 24], [2, 4, 37, 24], { is_causal: 1 }],
            [[1, 2, 130, 8], [1, 2, 130, 8], [1, 2, 130, 8], [1, 2, 130, 8], { is_causal: 1, scale: floatAttr(0.3) }],
            [[1, 3, 70, 20], [1, 3, 50, 20], [1, 3, 50, 20], [1, 3, 70, 20], { is_causal: 1 }],
            [[1, 2, 1, 32], [1, 2, 200, 32], [1, 2, 200, 32], [1, 2, 1, 32], {}],
            [[1, 65, 24], [1, 130, 24], [1, 130, 24], [1, 65, 24], { q_num_heads: 3, kv_num_heads: 3 }],
            [[2, 9, 32], [2, 9, 16], [2, 9, 16], [2, 9, 32], { q_num_heads: 4, kv_num_heads: 2, is_causal: 1 }],
          ];
          for (const [q, k, v, y, attrs] of cases) {
            await check('Attention', { q, k, v }, y, attrs, [], `Attention q[${q}] k[${k}] v[${v}] ${JSON.stringify(attrs)}`, 23);
          }
        });

        it('bigger products (several blocks, threaded)', async () => {
          await check('Attention', { q: [1, 4, 200, 64], k: [1, 4, 300, 64], v: [1, 4, 300, 64] }, [1, 4, 200, 64], { is_causal: 1 }, [], 'Attention 4x200x300x64 causal', 23);
          await check('MatMul', { a: [300, 520], b: [520, 270] }, [300, 270], {}, ['b'], 'MatMul 300x520x270');
          await check('MatMul', { a: [8, 75, 64], b: [8, 64, 75] }, [8, 75, 75], {}, [], 'MatMul batched 8x75x64x75');
          await check('Conv', { x: [1, 32, 30, 30], w: [48, 32, 3, 3], b: [48] }, [1, 48, 30, 30], { pads: intsAttr([1, 1, 1, 1]) }, ['w', 'b'], 'Conv 32->48 30x30');
          // small images: patches gathered once into packed panels, in k chunks on every thread
          await check('Conv', { x: [2, 40, 6, 7], w: [20, 40, 3, 3], b: [20] }, [2, 20, 6, 7], { pads: intsAttr([1, 1, 1, 1]) }, ['w', 'b'], 'Conv 40->20 6x7 batch 2');
          await check('Conv', { x: [3, 24, 9, 9], w: [16, 24, 3, 3] }, [3, 16, 5, 5], { pads: intsAttr([1, 1, 1, 1]), strides: intsAttr([2, 2]) }, ['w'], 'Conv 24->16 9x9 stride 2 batch 3');
          // ... and large enough to run on every thread (row ranges per thread; 3 images gathered once each)
          await check('Conv', { x: [3, 64, 8, 8], w: [70, 64, 3, 3], b: [70] }, [3, 70, 8, 8], { pads: intsAttr([1, 1, 1, 1]) }, ['w', 'b'], 'Conv 64->70 8x8 batch 3');
          await check('Conv', { x: [1, 128, 4, 4], w: [100, 128, 3, 3], b: [100] }, [1, 100, 4, 4], { pads: intsAttr([1, 1, 1, 1]) }, ['w', 'b'], 'Conv 128->100 4x4');
          // a few rows against a wide B on every thread: A packed once for all column blocks
          await check('MatMul', { a: [1, 300], b: [300, 257] }, [1, 257], {}, ['b'], 'MatMul 1x300x257 const B');
          await check('MatMul', { a: [3, 256], b: [256, 300] }, [3, 300], {}, [], 'MatMul 3x256x300');
          await check('MatMul', { a: [2, 3, 256], b: [2, 256, 300] }, [2, 3, 300], {}, [], 'MatMul batched 2x3x256x300');
        });
      });
    }

    it('positional entry points: same checks and errors as the object form; an incomplete key list fails loudly', async () => {
      const x = new Float32Array(6), y = new Float32Array(6);
      // the wrapped entry point (positional underneath) validates exactly as before
      x.set([0, 1, 2, 3, 3, 3]);
      await addon.softmax({ x, y, rows: 2, D: 3, sync: true });
      expect(y[3]).toBeCloseTo(1 / 3, 6);
      expect(y[2]).toBeGreaterThan(y[1]!);
      await expect(async () => addon.softmax({ x, y, rows: 3, D: 3, sync: true })).rejects.toThrow(/softmax: wrong sizes/);
      await expect(async () => addon.gemm({ N: 1, K: 1, a: x, b: y, c: y, aRs: 1, aKs: 1, bRs: 1, bKs: 1, sync: true } as never))
        .rejects.toThrow(/missing number 'M'/);
      await expect(async () => addon.gemm({ M: 1, N: 1, K: 1, a: x, b: y, c: [] as never, aRs: 1, aKs: 1, bRs: 1, bKs: 1, sync: true }))
        .rejects.toThrow(/'c' must be a Float32Array/);
      const raw = addon as unknown as { positional(name: string, keys: string[]): (...v: unknown[]) => Promise<void> };
      const partial = raw.positional('softmax', ['x', 'y', 'sync']);
      expect(() => partial(x, y, true)).toThrow(/'rows' is not in its key list/);
      expect(() => raw.positional('nope', [])).toThrow(/no entry point 'nope'/);
    });

    it('absurd sizes fail with a clear error instead of wrapping around 64-bit counts', async () => {
      const a = new Float32Array(4), y = new Float32Array(0);
      const big = 2 ** 33;
      await expect(async () => addon.binary({ a, b: a, y, dims: [big, big, 4], aStrides: [0, 0, 1], bStrides: [0, 0, 1], op: 0, sync: true }))
        .rejects.toThrow(/overflow/);
      await expect(async () => addon.stridedCopy({ x: a, y, dims: [big, big, 4], xStrides: [0, 0, 1], sync: true })).rejects.toThrow(/overflow/);
      await expect(async () => addon.gemm({ M: big, N: big, K: 1, a, aRs: 1, aKs: 1, b: a, bRs: 1, bKs: 1, c: y, ldc: big, sync: true }))
        .rejects.toThrow(/overflow|out of bounds/);
      const geo = { N: big, C: big, H: 4, W: 4, M: 1, group: 1, KH: 1, KW: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, OH: 4, OW: 4 };
      await expect(async () => addon.pool2d({ x: a, y, planes: big * big * big, H: 4, W: 4, OH: 1, OW: 1, KH: 1, KW: 1, sh: 1, sw: 1, ph: 0, pw: 0, peh: 0, pew: 0, dh: 1, dw: 1, max: true, includePad: false, sync: true }))
        .rejects.toThrow(/'planes' must be a safe integer/);
      await expect(async () => addon.pool2d({ x: a, y, planes: big, H: 2 ** 16, W: 2 ** 16, OH: 1, OW: 1, KH: 1, KW: 1, sh: 1, sw: 1, ph: 0, pw: 0, peh: 0, pew: 0, dh: 1, dw: 1, max: true, includePad: false, sync: true }))
        .rejects.toThrow(/overflow/);
      await expect(async () => addon.depthwise2d({ ...geo, group: big, M: big, x: a, w: a, y, sync: true })).rejects.toThrow(/overflow/);
      await expect(async () => addon.stridedCopy({ x: a, y: a, dims: [4, 'x' as never], xStrides: [1, 1], sync: true })).rejects.toThrow(/safe integers/);
      await expect(async () => addon.gemm({ M: 1, N: 1, K: 1, batch: 1, a, aRs: 1, aKs: 1, aOffsets: new Float64Array([1e300]), b: a, bRs: 1, bKs: 1, c: a, sync: true }))
        .rejects.toThrow(/safe integers/);
    });

    it('falls back to cpu for other dtypes and ops', async () => {
      addon.setIsa(isas[0]!);
      const model = makeModel(makeGraph(
        [makeNode('MatMul', ['a', 'b'], ['m']), makeNode('Relu', ['m'], ['y'])], 'g',
        [makeTensorValueInfo('a', 'float64', [3, 4]), makeTensorValueInfo('b', 'float64', [4, 2])], [makeTensorValueInfo('y', 'float64', [3, 2])],
      ), { opsets: { '': 17 } });
      const a = new Tensor('float64', Float64Array.from({ length: 12 }, (_, i) => i - 5), [3, 4]);
      const b = new Tensor('float64', Float64Array.from({ length: 8 }, (_, i) => i * 0.5 - 1), [4, 2]);
      const y = (await (await InferenceSession.create(model, { backend: 'native' })).run({ a, b })).y as Tensor;
      const r = (await (await InferenceSession.create(model, { backend: 'cpu' })).run({ a, b })).y as Tensor;
      expect(Array.from(y.data as Float64Array)).toEqual(Array.from(r.data as Float64Array));
    });

    it('repacks a B operand whose tensor is fed again with new contents (pack cache fingerprint)', async () => {
      addon.setIsa(isas[0]!);
      const model = makeModel(makeGraph([makeNode('MatMul', ['a', 'b'], ['y'])], 'g',
        [vi('a', [5, 40]), vi('b', [40, 24])], [vi('y', [5, 24])]), { opsets: { '': 17 } });
      const native = await InferenceSession.create(model, { backend: 'native' });
      const cpu = await InferenceSession.create(model, { backend: 'cpu' });
      const a = rand([5, 40]), b = rand([40, 24]);
      // round 0 reads b unpacked, round 1 packs it, round 2 changes an element the fingerprint samples
      for (let round = 0; round < 3; round++) {
        if (round === 2) (b.data as Float32Array)[b.size - 1]! += 1;
        const y = (await native.run({ a, b })).y as Tensor;
        const r = (await cpu.run({ a, b })).y as Tensor;
        expectClose(y, r, `round ${round}`);
      }
    });

    it('packs constant weights once, at session creation', async () => {
      addon.setIsa(isas[0]!);
      const model = makeModel(makeGraph([makeNode('MatMul', ['a', 'b'], ['m']), makeNode('Conv', ['x', 'w'], ['y'], { pads: intsAttr([1, 1, 1, 1]) })], 'g',
        [vi('a', [5, 40]), vi('x', [1, 6, 9, 9])], [vi('m', [5, 24]), vi('y', [1, 8, 9, 9])],
        [makeTensor('b', 'float32', [40, 24], randomFloats(960, 7)), makeTensor('w', 'float32', [8, 6, 3, 3], randomFloats(432, 8))]), { opsets: { '': 17 } });
      const calls: string[] = [];
      const orig = { packPanels: addon.packPanels, conv2dPackWeight: addon.conv2dPackWeight };
      addon.packPanels = (d) => { calls.push('packPanels'); return orig.packPanels.call(addon, d); };
      addon.conv2dPackWeight = (d) => { calls.push('conv2dPackWeight'); return orig.conv2dPackWeight.call(addon, d); };
      try {
        const s = await InferenceSession.create(model, { backend: 'native' });
        expect([...calls].sort()).toEqual(['conv2dPackWeight', 'packPanels']);
        const feeds = { a: rand([5, 40]), x: rand([1, 6, 9, 9]) };
        const got = await s.run(feeds);
        await s.run(feeds);
        expect(calls.length).toBe(2); // nothing packed while running
        const ref = await (await InferenceSession.create(model, { backend: 'cpu' })).run(feeds);
        expectClose(got.m as Tensor, ref.m as Tensor, 'MatMul');
        expectClose(got.y as Tensor, ref.y as Tensor, 'Conv');
      } finally {
        Object.assign(addon, orig);
      }
    });

    it('keeps the event loop free while a kernel runs', async () => {
      const M = 512, K = 512, N = 512;
      const a = new Float32Array(M * K).fill(1), b = new Float32Array(K * N).fill(1), c = new Float32Array(M * N);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      const jobs = [];
      for (let i = 0; i < 8; i++) jobs.push(addon.gemm({ M, N, K, a, aRs: K, aKs: 1, b, bRs: 1, bKs: N, c }));
      const sync = ticks;
      await Promise.all(jobs);
      clearInterval(timer);
      expect(sync).toBe(0);
      expect(c[0]).toBe(K);
    });

    it.skipIf(status.info.threads < 2)('a sync job never waits behind another job on the pool: it runs on the JS thread alone, correctly', async () => {
      const n = 1024;
      const a = new Float32Array(n * n).fill(1), b = new Float32Array(n * n).fill(1), c = new Float32Array(n * n);
      // threaded (flops over the pool threshold) but sync: the JS thread's job
      const M = 96, K = 256, N = 200;
      const x = randomFloats(M * K, 31), w = randomFloats(K * N, 32), y = new Float32Array(M * N);
      const want = new Float32Array(M * N);
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) want[i * N + j]! += x[i * K + k]! * w[k * N + j]!;
      const before = addon.poolStats().serialFallbacks;
      const big = addon.gemm({ M: n, N: n, K: n, a, aRs: n, aKs: 1, b, bRs: 1, bKs: n, c });
      // the big job starts on a libuv thread and takes the pool; sync jobs issued meanwhile must not wait for it
      let fallbacks = 0;
      for (let i = 0; i < 2000 && fallbacks === 0; i++) {
        addon.gemm({ M, N, K, a: x, aRs: K, aKs: 1, b: w, bRs: 1, bKs: N, c: y, sync: true });
        fallbacks = addon.poolStats().serialFallbacks - before;
      }
      await big;
      expect(fallbacks, 'a sync job found the pool busy and ran alone').toBeGreaterThan(0);
      expect(c[0]).toBe(n);
      expectClose(new Tensor('float32', y, [M, N]), new Tensor('float32', want, [M, N]), 'sync product on the JS thread', 1e-3);
    });
  });

  // The ONNX conformance tests of the ops the native backend implements, run with backend 'native'
  // (worker threads load the compiled engine: $ONNXFLOW_DIST, else dist/).
  const dist = resolve(process.env.ONNXFLOW_DIST ?? 'dist');
  const hasDist = existsSync(join(dist, 'backends', 'native', 'index.js'));
  const cases = hasDist ? await import(join(dist, 'conformance', 'cases.js')) : undefined;
  const suite: string | undefined = cases?.findSuite();
  if (!hasDist || !suite) {
    console.warn(`\n[native] conformance SKIPPED: ${!hasDist ? `${dist} has no native backend (run npm run build)` : 'ONNX backend tests not found'}\n`);
  } else {
    const { runCases } = await import(join(dist, 'conformance', 'pool.js'));
    const all: { id: string }[] = cases.listCases(suite);
    const opOf = (c: { id: string }): string => { try { return cases.primaryOp(c, cases.loadCaseModel(c)); } catch { return '?'; } };
    const ops = ['MatMul', 'Gemm', 'Conv', 'Attention', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'Add', 'Sub', 'Mul', 'Div', 'Transpose', 'MaxPool', 'AveragePool', 'InstanceNormalization', 'ConvTranspose'];
    const mine = all.filter((c) => ops.includes(opOf(c)));
    describe(`ONNX conformance on backend native (${mine.length} tests of ${ops.join(', ')})`, () => {
      const results = new Map<string, { status: string; reason?: string }>();
      it('runs', async () => {
        for (const r of await runCases(mine, { backend: 'native', workers: 1, timeoutMs: 120_000 })) results.set(r.id, r);
        expect(results.size).toBe(mine.length);
        expect(mine.length).toBeGreaterThan(30);
      }, 600_000);
      for (const c of mine) {
        it(c.id, () => {
          const r = results.get(c.id);
          expect(r?.status, `${c.id}: ${r?.reason}`).toBe('pass');
        });
      }
    });
  }
}
