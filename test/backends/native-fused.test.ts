// The native backend's fused-op, attention, norm, softmax, activation and elementwise kernels
// against the cpu reference (within 1e-4 relative): randomized shapes with odd sizes, vector tails,
// broadcasts and every attribute variant the native path takes (and some it hands back to cpu).
// Single-node models run with the graph optimizer off, so both backends run the same node.
// Skipped, with the reason, when the addon is not built.
import { afterAll, describe, expect, it } from 'vitest';
import {
  InferenceSession, Tensor, encodeModel, intsAttr, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo,
  type AttrInput,
} from '../../src/index.js';
import { nativeAddon, nativeStatus } from '../../src/backends/native/index.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { randomFloats, rng } from '../helpers/rng.js';
import { expectElementwiseClose as expectClose } from '../helpers/close.js';

// Small tensors would otherwise stay on the cpu kernels; test the native path on every size.
process.env.ONNXFLOW_NATIVE_MIN_FLOPS = '0';
process.env.ONNXFLOW_NATIVE_MIN_ELEMS = '0';

const FUSED = 'com.onnxflow';
const status = nativeStatus();
let seed = 7000;
const r = rng(4242);
const randInt = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const rand = (dims: number[], scale = 1) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed++, scale), dims);
const bools = (dims: number[]) => {
  const n = dims.reduce((a, b) => a * b, 1);
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = r() < 0.7 ? 1 : 0;
  for (let i = 0; i < n; i += dims[dims.length - 1] ?? 1) d[i] = 1; // no fully hidden row
  return new Tensor('bool', d, dims);
};

interface Spec {
  op: string; domain?: string; inputs: (Tensor | undefined)[]; outputs?: number; attrs?: Record<string, AttrInput>;
  /** Input indices that become initializers (weights: packed on the second run). */
  consts?: number[];
}

function model(s: Spec) {
  const names = s.inputs.map((t, i) => (t ? `i${i}` : ''));
  const outs = Array.from({ length: s.outputs ?? 1 }, (_, i) => `o${i}`);
  const consts = s.consts ?? [];
  const graphInputs = s.inputs.flatMap((t, i) => (t && !consts.includes(i) ? [makeTensorValueInfo(names[i]!, t.type, t.dims)] : []));
  const inits = s.inputs.flatMap((t, i) => (t && consts.includes(i) ? [makeTensor(names[i]!, t.type, t.dims, t.data as Float32Array)] : []));
  const m = makeModel(makeGraph([makeNode(s.op, names, outs, s.attrs ?? {}, { domain: s.domain })], 'g', graphInputs,
    outs.map((o) => makeTensorValueInfo(o, 'float32', [])), inits), { opsets: { '': 23, [FUSED]: 1 } });
  const feeds: Record<string, Tensor> = {};
  s.inputs.forEach((t, i) => { if (t && !consts.includes(i)) feeds[names[i]!] = t; });
  return { bytes: encodeModel(m), feeds, outs };
}

async function runOn(backend: string, s: Spec) {
  const { bytes, feeds, outs } = model(s);
  const sess = await InferenceSession.create(bytes, { backend, graphOptimizationLevel: 'disabled' });
  const res = await sess.run(feeds);
  return outs.map((o) => res[o] as Tensor);
}

/** cpu vs native on one node, three native runs (the later ones with packed weights). */
async function check(s: Spec, what: string, ref?: Tensor[]) {
  const want = ref ?? await runOn('cpu', s);
  const { bytes, feeds, outs } = model(s);
  const sess = await InferenceSession.create(bytes, { backend: 'native', graphOptimizationLevel: 'disabled' });
  for (let run = 0; run < 3; run++) {
    const res = await sess.run(feeds);
    outs.forEach((o, i) => expectClose(res[o] as Tensor, want[i]!, `${what} output ${i} (run ${run})`));
  }
}

const ACTS: [string, string, (v: number) => number][] = [
  ['', 'none', (v) => v],
  ['Relu', 'none', (v) => Math.max(v, 0)],
  ['SiLU', 'none', (v) => v / (1 + Math.exp(-v))],
  ['Gelu', 'none', (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
  ['Gelu', 'tanh', (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  ['QuickGelu', 'none', (v) => v / (1 + Math.exp(-1.702 * v))], // native: the product, then the activation in TS
];

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 in double is not enough for a reference; use the series / continued fraction.
  const t = Math.abs(x);
  let s: number;
  if (t < 3) {
    let term = t, sum = t;
    for (let n = 1; n < 80; n++) { term *= -t * t / n; sum += term / (2 * n + 1); }
    s = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (t + f);
    s = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
  }
  return x < 0 ? -s : s;
}

if (!status.available) {
  console.warn(`\n[native-fused] SKIPPED: the native backend is unavailable: ${status.reason}\n`);
  describe.skip('native fused kernels (addon unavailable)', () => { it('skipped', () => {}); });
} else {
  const addon = nativeAddon()!;
  const isas = status.info.isas;
  afterAll(() => { addon.setIsa(isas[0]!); });

  for (const isa of isas) {
    describe(`native fused kernels on ${isa}`, () => {
      it('selects the path', () => { expect(addon.setIsa(isa)).toBe(true); });

      it('FusedGemm: bias + every activation, transA / transB, batch broadcasting, constant B', async () => {
        const cases: { a: number[]; b: number[]; ta: number; tb: number }[] = [
          { a: [5, 7], b: [7, 9], ta: 0, tb: 0 },
          { a: [2, 3, 33, 17], b: [17, 19], ta: 0, tb: 0 },
          { a: [3, 13, 31], b: [3, 31, 40], ta: 0, tb: 0 },
          { a: [29, 65], b: [23, 29], ta: 1, tb: 1 },
          { a: [4, 65, 29], b: [1, 33, 65], ta: 1, tb: 1 },
          { a: [2, 11, 70], b: [70, 18], ta: 0, tb: 0 },
          { a: [2, 70, 11], b: [18, 70], ta: 1, tb: 1 },
          { a: [1, 300], b: [300, 47], ta: 0, tb: 0 },
        ];
        for (let i = 0; i < 4; i++) {
          const M = randInt(1, 40), K = randInt(1, 90), N = randInt(1, 70), B = randInt(1, 3);
          const ta = randInt(0, 1), tb = randInt(0, 1);
          cases.push({ a: [B, ...(ta ? [K, M] : [M, K])], b: tb ? [N, K] : [K, N], ta, tb });
        }
        for (const [ci, c] of cases.entries()) {
          const N = c.tb ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!;
          const [act, approx] = ACTS[ci % ACTS.length]!;
          const transAttrs = { ...(c.ta ? { transA: 1 } : {}), ...(c.tb ? { transB: 1 } : {}) };
          const attrs = { activation: act, gelu_approximate: approx, ...transAttrs };
          const inputs = [rand(c.a), rand(c.b), ci % 3 === 2 ? undefined : rand([N])];
          const what = `FusedGemm ${JSON.stringify(c)} ${act || 'none'}/${approx}`;
          // The cpu reference may not know transA / transB yet: compare with the untransposed product then.
          const cpuKnowsTrans = !(c.ta || c.tb) || (await cpuTransposes());
          const ref = cpuKnowsTrans ? undefined : await runOn('cpu', {
            op: 'FusedGemm', domain: FUSED, attrs: { activation: act, gelu_approximate: approx },
            inputs: [c.ta ? swapLast(inputs[0]!) : inputs[0], c.tb ? swapLast(inputs[1]!) : inputs[1], inputs[2]],
          });
          await check({ op: 'FusedGemm', domain: FUSED, inputs, attrs, consts: [1] }, what, ref);
        }
      });

      it('FusedConv: bias + activation epilogue, strides, pads, groups, dilations, 1-D', async () => {
        const cases: { x: number[]; w: number[]; attrs: Record<string, AttrInput> }[] = [
          { x: [1, 3, 9, 11], w: [5, 3, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]) } },
          { x: [2, 8, 10, 7], w: [12, 4, 3, 3], attrs: { group: 2, strides: intsAttr([2, 1]), pads: intsAttr([1, 0, 2, 1]) } },
          { x: [1, 16, 13, 13], w: [17, 16, 1, 1], attrs: {} },
          { x: [1, 6, 15, 9], w: [7, 6, 3, 2], attrs: { dilations: intsAttr([2, 1]), pads: intsAttr([2, 1, 2, 1]) } },
          { x: [2, 5, 40], w: [9, 5, 5], attrs: { pads: intsAttr([2, 2]) } },
          // small images on every thread: row ranges per thread, images gathered once (batch 2) or per thread (batch 1)
          { x: [2, 64, 8, 8], w: [70, 64, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]) } },
          { x: [1, 128, 4, 4], w: [100, 128, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]) } },
          // Winograd (these two and the two above): the activation on the output transform, cropped tiles
          { x: [1, 20, 37, 35], w: [24, 20, 3, 3], attrs: { pads: intsAttr([1, 0, 2, 1]) } },
        ];
        for (const [ci, c] of cases.entries()) {
          for (const [ai, [act, approx, fn]] of ACTS.entries()) {
            if ((ci + ai) % 2) continue;
            const inputs = [rand(c.x), rand(c.w, 0.1), rand([c.w[0]!])];
            const attrs = { ...c.attrs, activation: act, gelu_approximate: approx };
            const what = `FusedConv ${JSON.stringify(c.x)} * ${JSON.stringify(c.w)} ${act || 'none'}/${approx}`;
            let ref: Tensor[] | undefined;
            if (!cpuBackend.getKernel('FusedConv', FUSED, 1)) {
              // Until the cpu FusedConv lands: cpu Conv, then the activation in double.
              const [y] = await runOn('cpu', { op: 'Conv', inputs, attrs: c.attrs });
              const Y = y!.data as Float32Array;
              ref = [new Tensor('float32', Float32Array.from(Y, fn), y!.dims)];
            }
            await check({ op: 'FusedConv', domain: FUSED, inputs, attrs, consts: [1, 2] }, what, ref);
          }
        }
      });

      it('FusedAttention: self, cross, masks (broadcast), Where cond / fill, scale ops, decode against a cache, k_perm', async () => {
        // perm: input 1 is X with Kt = Transpose(X, perm) (k_perm)
        type C = { q: number[]; kt: number[]; v: number[]; mask?: number[]; cond?: number[]; keep?: number; op?: string; scale?: number; perm?: number[]; qp?: number[]; vp?: number[] };
        const cases: C[] = [
          { q: [2, 3, 70, 16], kt: [2, 3, 16, 70], v: [2, 3, 70, 16], op: 'mul', scale: 0.25 },  // self
          { q: [6, 65, 40], kt: [6, 40, 77], v: [6, 77, 40], op: 'div', scale: 6.3 },           // cross
          { q: [1, 4, 129, 8], kt: [1, 4, 8, 129], v: [1, 4, 129, 12], mask: [1, 1, 129, 129] },  // additive mask, Dv != D
          { q: [2, 2, 33, 17], kt: [2, 2, 17, 50], v: [2, 2, 50, 9], mask: [50], op: 'mul', scale: 0.3 },
          { q: [2, 2, 67, 24], kt: [2, 2, 24, 67], v: [2, 2, 67, 24], cond: [1, 1, 67, 67], keep: 1, op: 'div', scale: 4.9 },
          { q: [1, 3, 20, 8], kt: [1, 3, 8, 20], v: [1, 3, 20, 8], cond: [20, 20], keep: 0, mask: [1, 3, 1, 20] },
          { q: [2, 6, 1, 64], kt: [2, 6, 64, 448], v: [2, 6, 448, 64], op: 'mul', scale: 0.125 },  // decode, 448 cached
          { q: [1, 6, 1, 64], kt: [1, 6, 64, 37], v: [1, 6, 37, 64], mask: [1, 1, 1, 37] },
          { q: [3, 2, 5], kt: [5, 9], v: [3, 9, 7] },                                                // broadcast Kt, Sq < 4
          { q: [4, 1, 70, 16], kt: [4, 3, 16, 30], v: [1, 3, 30, 16], op: 'mul', scale: 0.25 },    // broadcast Q over heads
          { q: [2, 3, 70, 16], kt: [2, 3, 16, 70], v: [2, 3, 70, 16], op: 'mul', scale: 0.25, perm: [0, 1, 3, 2] },  // K [B, H, S, D]
          { q: [2, 3, 65, 40], kt: [2, 3, 40, 77], v: [2, 3, 77, 40], op: 'mul', scale: 0.16, perm: [0, 2, 3, 1] },  // K [B, S, H, D]
          { q: [1, 4, 129, 8], kt: [1, 4, 8, 129], v: [1, 4, 129, 12], mask: [1, 1, 129, 129], perm: [0, 2, 3, 1] },
          { q: [2, 6, 1, 64], kt: [2, 6, 64, 448], v: [2, 6, 448, 64], op: 'mul', scale: 0.125, perm: [0, 1, 3, 2] },  // decode
          { q: [1, 6, 3, 64], kt: [1, 6, 64, 37], v: [1, 6, 37, 64], perm: [0, 2, 3, 1] },
          { q: [3, 2, 5], kt: [5, 9], v: [3, 9, 7], perm: [1, 0] },
          { q: [6, 65, 40], kt: [6, 40, 77], v: [6, 77, 40], op: 'div', scale: 6.3, perm: [0, 2, 1] },
          { q: [4, 1, 70, 16], kt: [4, 3, 16, 30], v: [1, 3, 30, 16], op: 'mul', scale: 0.25, perm: [0, 2, 3, 1] },  // broadcast Q
          { q: [2, 2, 33, 17], kt: [2, 1, 17, 50], v: [2, 2, 50, 9], perm: [3, 1, 0, 2] },  // K broadcast over heads, any perm
          // more keys than one 256-key block: the online softmax across blocks, with masks / Where
          { q: [1, 2, 70, 24], kt: [1, 2, 24, 600], v: [1, 2, 600, 20], mask: [1, 1, 70, 600], op: 'mul', scale: 0.2 },
          { q: [2, 1, 9, 40], kt: [2, 1, 40, 513], v: [2, 1, 513, 40], cond: [9, 513], keep: 1, perm: [0, 2, 3, 1] },
          // q_perm / v_perm: Q and V as [B, S, H, D] (torch's head split absorbed), and one that keeps Q on the cpu path
          { q: [2, 3, 65, 40], kt: [2, 3, 40, 77], v: [2, 3, 77, 40], op: 'mul', scale: 0.16, perm: [0, 2, 3, 1], qp: [0, 2, 1, 3], vp: [0, 2, 1, 3] },
          { q: [1, 4, 300, 8], kt: [1, 4, 8, 300], v: [1, 4, 300, 12], mask: [1, 1, 300, 300], perm: [0, 2, 3, 1], qp: [0, 2, 1, 3], vp: [0, 2, 1, 3] },
          { q: [2, 6, 1, 64], kt: [2, 6, 64, 48], v: [2, 6, 48, 64], perm: [0, 1, 3, 2], vp: [0, 2, 1, 3] },
          { q: [2, 3, 7, 8], kt: [2, 3, 8, 9], v: [2, 3, 9, 8], qp: [0, 1, 3, 2] },
        ];
        for (let i = 0; i < 4; i++) {
          const B = randInt(1, 3), H = randInt(1, 4), Sq = randInt(1, 150), Skv = randInt(1, 150), D = randInt(1, 70), Dv = randInt(1, 70);
          cases.push({ q: [B, H, Sq, D], kt: [B, H, D, Skv], v: [B, H, Skv, Dv], mask: i % 2 ? [1, 1, Sq, Skv] : undefined, op: 'mul', scale: 1 / Math.sqrt(D) });
        }
        for (const c of cases) {
          const ninf = r() < 0.5;
          // the tensor X with Transpose(X, perm) of the given dims
          const through = (dims: number[], perm: number[] | undefined, scale: number) => (perm ? rand(dims.map((_, a) => dims[perm.indexOf(a)]!), scale) : rand(dims, scale));
          const inputs: (Tensor | undefined)[] = [through(c.q, c.qp, 2), through(c.kt, c.perm, 2), through(c.v, c.vp, 1)];
          if (c.mask) inputs.push(rand(c.mask, 3));
          if (c.cond) {
            while (inputs.length < 4) inputs.push(undefined);
            inputs.push(bools(c.cond), new Tensor('float32', new Float32Array([ninf ? -Infinity : -1e4]), []));
          }
          const attrs: Record<string, AttrInput> = { scale_op: c.op ?? 'none' };
          if (c.scale !== undefined) attrs.scale = c.scale;
          if (c.keep !== undefined) attrs.where_keep = c.keep;
          if (c.perm) attrs.k_perm = intsAttr(c.perm);
          if (c.qp) attrs.q_perm = intsAttr(c.qp);
          if (c.vp) attrs.v_perm = intsAttr(c.vp);
          await check({ op: 'FusedAttention', domain: FUSED, inputs, attrs }, `FusedAttention ${JSON.stringify(c)}`);
        }
      });

      it('FusedAttention: is_causal 1 / 2 and fully masked rows (masked_row_zero zeros, else NaN as Softmax gives)', async () => {
        // some rows fully hidden: Where with fill -inf hides every key of every third query
        const hiding = (dims: number[]) => {
          const t = bools(dims);
          const d = t.data as Uint8Array, n = dims[dims.length - 1]!;
          for (let row = 0; row * n < d.length; row += 3) d.fill(0, row * n, (row + 1) * n);
          return t;
        };
        const ninf = () => new Tensor('float32', new Float32Array([-Infinity]), []);
        type C = { q: number[]; kt: number[]; v: number[]; causal?: number; zero?: number; cond?: number[]; fill?: number };
        const cases: C[] = [
          { q: [1, 2, 70, 16], kt: [1, 2, 16, 70], v: [1, 2, 70, 16], causal: 1, zero: 1 },
          { q: [1, 2, 300, 16], kt: [1, 2, 16, 300], v: [1, 2, 300, 8], causal: 1, zero: 0 },  // across key blocks
          { q: [2, 3, 5, 8], kt: [2, 3, 8, 40], v: [2, 3, 40, 8], causal: 2, zero: 1 },        // new tokens against a cache
          { q: [1, 2, 9, 8], kt: [1, 2, 8, 4], v: [1, 2, 4, 8], causal: 2, zero: 1 },          // first 5 queries see nothing: zeros
          { q: [1, 2, 9, 8], kt: [1, 2, 8, 4], v: [1, 2, 4, 8], causal: 2, zero: 0 },          // ... NaN
          { q: [1, 2, 80, 8], kt: [1, 2, 8, 40], v: [1, 2, 40, 8], causal: 2, zero: 0 },       // blocked path, NaN rows
          { q: [2, 2, 67, 24], kt: [2, 2, 24, 67], v: [2, 2, 67, 24], cond: [1, 1, 67, 67], zero: 1 },
          { q: [2, 2, 67, 24], kt: [2, 2, 24, 67], v: [2, 2, 67, 24], cond: [1, 1, 67, 67], zero: 0 },
          { q: [1, 3, 2, 16], kt: [1, 3, 16, 30], v: [1, 3, 30, 16], cond: [1, 1, 2, 30], zero: 0, causal: 2 },
          { q: [1, 2, 20, 8], kt: [1, 2, 8, 20], v: [1, 2, 20, 8], cond: [20, 20], causal: 1, fill: -1e4 },  // finite fill: cpu
        ];
        for (const c of cases) {
          const inputs: (Tensor | undefined)[] = [rand(c.q, 2), rand(c.kt, 2), rand(c.v)];
          if (c.cond) inputs.push(undefined, hiding(c.cond), c.fill === undefined ? ninf() : new Tensor('float32', new Float32Array([c.fill]), []));
          const attrs: Record<string, AttrInput> = { scale_op: 'mul', scale: 0.3 };
          if (c.causal) attrs.is_causal = c.causal;
          if (c.zero !== undefined) attrs.masked_row_zero = c.zero;
          const spec = { op: 'FusedAttention', domain: FUSED, inputs, attrs };
          const what = `FusedAttention ${JSON.stringify(c)}`;
          const [want] = await runOn('cpu', spec);
          const orig = addon.attention;
          let calls = 0;
          addon.attention = (d) => { calls++; return orig.call(addon, d); };
          let got: Tensor | undefined;
          try {
            [got] = await runOn('native', spec);
          } finally {
            addon.attention = orig;
          }
          expect(calls > 0, `${what}: runs on the native kernel`).toBe(c.fill === undefined);
          if (c.zero === 0 && (c.causal === 2 || c.cond) && c.fill === undefined) {
            expect((want!.data as Float32Array).some((x) => Number.isNaN(x)), `${what}: has masked rows`).toBe(true);
          }
          expectClose(got!, want!, what, 1e-4, true);
        }
      });

      it('Attention (opset 23): 4-D and 3-D layouts, GQA, causal, decode', async () => {
        const cases = [
          { q: [1, 4, 130, 32], k: [1, 2, 130, 32], v: [1, 2, 130, 16], causal: 1 },
          { q: [2, 8, 1, 64], k: [2, 8, 448, 64], v: [2, 8, 448, 64], causal: 0 },
          { q: [2, 3, 1, 20], k: [2, 3, 9, 20], v: [2, 3, 9, 20], causal: 1 },
          { q: [1, 2, 300, 16], k: [1, 2, 300, 16], v: [1, 2, 300, 16], causal: 1 },  // causal across 256-key blocks
          { q: [1, 2, 40, 16], k: [1, 2, 700, 16], v: [1, 2, 700, 8], causal: 0 },
        ];
        for (const c of cases) {
          await check({ op: 'Attention', inputs: [rand(c.q, 2), rand(c.k, 2), rand(c.v)], attrs: { is_causal: c.causal } }, `Attention ${JSON.stringify(c)}`);
        }
        await check({ op: 'Attention', inputs: [rand([2, 33, 48], 2), rand([2, 40, 24], 2), rand([2, 40, 24])], attrs: { q_num_heads: 4, kv_num_heads: 2 } }, 'Attention 3-D GQA');
      });

      it('FusedGroupNorm (+SiLU), LayerNormalization (ONNX and fused), SkipLayerNormalization', async () => {
        for (const [dims, G, act] of [[[2, 32, 9, 7], 8, 'SiLU'], [[1, 12, 33], 3, ''], [[1, 64, 16, 16], 32, 'SiLU'], [[3, 6, 5, 1], 6, '']] as [number[], number, string][]) {
          await check({ op: 'FusedGroupNorm', domain: FUSED, inputs: [rand(dims, 3), rand([dims[1]!]), rand([dims[1]!])], attrs: { num_groups: G, epsilon: 1e-5, activation: act } },
            `FusedGroupNorm ${dims} G=${G} ${act}`);
        }
        for (const [dims, axis] of [[[3, 7, 37], -1], [[2, 5, 6, 9], 2], [[4, 768], -1], [[1, 13, 384], -1]] as [number[], number][]) {
          const nd = dims.slice(axis < 0 ? dims.length + axis : axis);
          const D = nd.reduce((a, b) => a * b, 1);
          await check({ op: 'LayerNormalization', inputs: [rand(dims, 2), rand(nd), rand(nd)], attrs: { axis, epsilon: 1e-5 }, outputs: 3 }, `LayerNormalization ${dims} axis ${axis}`);
          if (axis === -1) {
            await check({ op: 'LayerNormalization', domain: FUSED, inputs: [rand(dims, 2), rand([D]), rand([D])], attrs: { epsilon: 1e-5 } }, `fused LayerNormalization ${dims}`);
            await check({ op: 'LayerNormalization', domain: FUSED, inputs: [rand(dims, 2), rand([D])], attrs: { epsilon: 1e-6 } }, `fused LayerNormalization ${dims} no beta`);
            await check({ op: 'SkipLayerNormalization', domain: FUSED, inputs: [rand(dims, 2), rand(dims), rand([D]), rand([D])], attrs: { epsilon: 1e-5 }, outputs: 2 }, `SkipLayerNormalization ${dims}`);
          }
        }
      });

      it('Softmax / LogSoftmax over the last axis, Gelu (fused and ONNX) / SiLU', async () => {
        for (const dims of [[3, 7, 77], [2, 8, 1, 448], [5, 1], [4, 3, 17]]) {
          await check({ op: 'Softmax', inputs: [rand(dims, 8)], attrs: { axis: -1 } }, `Softmax ${dims}`);
          await check({ op: 'LogSoftmax', inputs: [rand(dims, 8)] }, `LogSoftmax ${dims}`);
          await check({ op: 'Softmax', inputs: [rand(dims, 8)], attrs: { axis: 0 } }, `Softmax ${dims} axis 0 (cpu)`);
        }
        for (const n of [[1], [7], [8], [9], [4, 1000], [2, 3, 77]]) {
          const x = rand(n, 6);
          await check({ op: 'SiLU', domain: FUSED, inputs: [x] }, `SiLU ${n}`);
          await check({ op: 'Gelu', domain: FUSED, inputs: [x] }, `Gelu ${n}`);
          await check({ op: 'Gelu', domain: FUSED, inputs: [x], attrs: { approximate: 'tanh' } }, `Gelu tanh ${n}`);
          await check({ op: 'Gelu', inputs: [x] }, `ONNX Gelu ${n}`);  // opset 20's op, as the cpu kernel computes it
          await check({ op: 'Gelu', inputs: [x], attrs: { approximate: 'tanh' } }, `ONNX Gelu tanh ${n}`);
        }
      });

      it('NaN reaches the outputs as on cpu (activations, Relu epilogue, Softmax)', async () => {
        const special = (dims: number[]) => {
          const t = rand(dims, 4);
          const d = t.data as Float32Array;
          for (let i = 0; i < d.length; i += 5) d[i] = [NaN, 100, -100, 30, -30][(i / 5) % 5]!;
          return t;
        };
        const same = async (spec: Spec, what: string) => {
          const [want] = await runOn('cpu', spec);
          const [got] = await runOn('native', spec);
          expectClose(got!, want!, what, 1e-4, true);
        };
        const x = special([40]);
        await same({ op: 'SiLU', domain: FUSED, inputs: [x] }, 'SiLU');
        await same({ op: 'Gelu', domain: FUSED, inputs: [x] }, 'Gelu');
        await same({ op: 'Gelu', domain: FUSED, inputs: [x], attrs: { approximate: 'tanh' } }, 'Gelu tanh');
        // a NaN in A makes its row NaN; the Relu epilogue must keep it (max(NaN, 0) is 0 the wrong way round)
        const a = rand([3, 16], 2);
        (a.data as Float32Array)[17] = NaN;
        await same({ op: 'FusedGemm', domain: FUSED, inputs: [a, rand([16, 24])], attrs: { activation: 'Relu' } }, 'FusedGemm Relu');
        const rows = special([4, 10]);
        (rows.data as Float32Array).fill(1, 10, 20);  // one clean row
        await same({ op: 'Softmax', inputs: [rows], attrs: { axis: -1 } }, 'Softmax');
      });

      it('Add / Sub / Mul / Div with broadcasting', async () => {
        const pairs: [number[], number[]][] = [
          [[2, 5, 7, 9], [2, 5, 7, 9]], [[2, 5, 7, 9], [1, 5, 1, 1]], [[2, 5, 7, 9], [9]], [[1], [3, 4, 17]],
          [[3, 1, 17], [1, 4, 1]], [[2, 320, 8, 8], [320, 1, 1]], [[7, 1, 1, 5], [1, 6, 3, 1]], [[], [4, 3]],
        ];
        for (const [a, b] of pairs) {
          for (const op of ['Add', 'Sub', 'Mul', 'Div']) await check({ op, inputs: [rand(a), rand(b)] }, `${op} [${a}] [${b}]`);
        }
      });

      it('Transpose: head splits, K^T, full reversal, size-1 axes', async () => {
        const cases: [number[], number[] | undefined][] = [
          [[2, 77, 8, 40], [0, 2, 1, 3]], [[2, 8, 101, 64], [0, 1, 3, 2]], [[3, 5, 7], undefined], [[1, 13, 1, 9], [3, 1, 0, 2]],
          [[4, 6, 5, 3, 2], [4, 0, 3, 1, 2]], [[33, 17], [1, 0]],
        ];
        for (const [dims, perm] of cases) {
          await check({ op: 'Transpose', inputs: [rand(dims)], attrs: perm ? { perm: intsAttr(perm) } : {} }, `Transpose [${dims}] perm ${perm}`);
        }
      });

      it('GeGLU (erf and tanh), odd widths', async () => {
        for (const dims of [[2, 7, 2 * 37], [3, 2 * 8], [1, 64, 2 * 320], [2]]) {
          const x = rand(dims, 4);
          await check({ op: 'GeGLU', domain: FUSED, inputs: [x] }, `GeGLU [${dims}]`);
          await check({ op: 'GeGLU', domain: FUSED, inputs: [x], attrs: { approximate: 'tanh' } }, `GeGLU tanh [${dims}]`);
        }
      });

      it('writes intermediates into the memory arena (in-place Add / Mul / Gelu included) and matches cpu', async () => {
        // x [2, 33, 40] · W → +b (in place) → Gelu (in place) → Softmax → · W2 → GeGLU → * x2 (in place)
        // → Transpose → LayerNormalization → output; every intermediate is a native op's output.
        const x = rand([2, 33, 40]), w = rand([40, 48]), b = rand([48]), w2 = rand([48, 80]), x2 = rand([2, 33, 40]);
        const g = rand([33], 1), be = rand([33], 1);
        const vi = (n: string, t: Tensor) => makeTensorValueInfo(n, 'float32', t.dims);
        const nodes = [
          makeNode('MatMul', ['x', 'w'], ['h0']),
          makeNode('Add', ['h0', 'b'], ['h1']),
          makeNode('Gelu', ['h1'], ['h2'], {}, { domain: FUSED }),
          makeNode('Softmax', ['h2'], ['h3'], { axis: -1 }),
          makeNode('MatMul', ['h3', 'w2'], ['h4']),
          makeNode('GeGLU', ['h4'], ['h5'], {}, { domain: FUSED }),
          makeNode('Mul', ['h5', 'x2'], ['h6']),
          makeNode('Transpose', ['h6'], ['h7'], { perm: intsAttr([0, 2, 1]) }),
          makeNode('LayerNormalization', ['h7', 'g', 'be'], ['y'], { axis: -1 }),
        ];
        const inits = [makeTensor('w', 'float32', w.dims, w.data as Float32Array), makeTensor('b', 'float32', b.dims, b.data as Float32Array),
          makeTensor('w2', 'float32', w2.dims, w2.data as Float32Array), makeTensor('g', 'float32', g.dims, g.data as Float32Array),
          makeTensor('be', 'float32', be.dims, be.data as Float32Array)];
        const bytes = encodeModel(makeModel(makeGraph(nodes, 'chain', [vi('x', x), vi('x2', x2)], [makeTensorValueInfo('y', 'float32', [2, 40, 33])], inits),
          { opsets: { '': 23, [FUSED]: 1 } }));
        const feeds = { x, x2 };
        const ref = await InferenceSession.create(bytes, { backend: 'cpu', graphOptimizationLevel: 'disabled', enableCpuMemArena: false });
        const want = (await ref.run(feeds)).y as Tensor;
        const sess = await InferenceSession.create(bytes, { backend: 'native', graphOptimizationLevel: 'disabled' });
        for (let run = 0; run < 4; run++) expectClose((await sess.run(feeds)).y as Tensor, want, `arena chain (run ${run})`);
        expect(sess.arenaStats.served, 'native kernels allocate from the arena').toBeGreaterThanOrEqual(8);
        const noArena = await InferenceSession.create(bytes, { backend: 'native', graphOptimizationLevel: 'disabled', enableCpuMemArena: false });
        expectClose((await noArena.run(feeds)).y as Tensor, want, 'no arena');
      });
    });
  }
}

function swapLast(t: Tensor): Tensor {
  const d = t.dims, r = d.length, R = d[r - 2]!, C = d[r - 1]!;
  const src = t.data as Float32Array, out = new Float32Array(src.length);
  for (let o = 0; o < src.length; o += R * C) for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[o + j * R + i] = src[o + i * C + j]!;
  return new Tensor('float32', out, [...d.slice(0, -2), C, R]);
}

let transKnown: boolean | undefined;
/** Whether the cpu FusedGemm honours transA / transB (being added concurrently). */
async function cpuTransposes(): Promise<boolean> {
  if (transKnown === undefined) {
    const a = new Tensor('float32', new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]); // A^T is [2, 3]
    const b = new Tensor('float32', new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]);
    try {
      const [y] = await runOn('cpu', { op: 'FusedGemm', domain: FUSED, inputs: [a, b], attrs: { transA: 1 } });
      transKnown = y!.dims[0] === 2 && y!.dims[1] === 2;
    } catch {
      transKnown = false;
    }
  }
  return transKnown;
}
