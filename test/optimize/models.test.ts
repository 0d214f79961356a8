// The optimizer on the tiny generated Stable Diffusion and Whisper models: every expected fusion
// fires, outputs match the unoptimized graph (1e-4 relative) and onnxruntime-node, and the
// basic-level model saves as an ONNX file onnxruntime-node loads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose } from '../helpers/close.js';
import { InferenceSession } from '../../src/engine/session.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { Graph, Model } from '../../src/ir/graph.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { buildTextEncoder, buildUNet, buildVaeDecoder, sdConfig } from '../../src/generate/sd/index.js';
import { buildWhisperModels, buildWhisperTokenizer, whisperConfig } from '../../src/generate/whisper/index.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { randomFloats } from '../helpers/rng.js';
import type { Backend, KernelFn } from '../../src/backends/backend.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { nativeStatus } from '../../src/backends/native/index.js';
import { registerBackend } from '../../src/backends/registry.js';
import { fusedGemmConfig } from '../../src/backends/cpu/kernels/fused/FusedGemm.js';
import { FUSED_DOMAIN } from '../../src/optimize/index.js';
import { runOrt } from '../helpers/ort.js';

// A backend whose FusedGemm reads transB in place (as the native backend's does); the same math as cpu's.
const ownFusedGemm: KernelFn = (inputs, ctx) => fusedGemmConfig.kernel(inputs, ctx);
const transBInPlace: Backend = {
  name: 'transb-in-place',
  getKernel: (op, domain, opset) => (op === 'FusedGemm' && domain === FUSED_DOMAIN ? ownFusedGemm : cpuBackend.getKernel(op, domain, opset)),
};
registerBackend('transb-in-place', () => transBInPlace);

const root = mkdtempSync(join(tmpdir(), 'onnxflow-opt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sd = sdConfig('tiny');
const wc = whisperConfig('tiny');
const whisper = buildWhisperModels(wc, buildWhisperTokenizer(wc.regularVocab).vocabSize, 0);
const D = wc.dModel;
const H = wc.decoderHeads;
const f32 = (dims: number[], seed: number, scale = 1) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed, scale), dims);
const ids = (v: number[]) => new Tensor('int64', v.map(BigInt), [1, v.length]);

interface Case {
  name: string;
  model: () => Model;
  feeds: () => Record<string, Tensor>;
  /** Expected fused-op counts at level 'all', as functions of the original op counts. */
  expect: (ops: Record<string, number>) => Record<string, number>;
}

const pastFeeds = () => {
  const f: Record<string, Tensor> = { input_ids: ids([7]) };
  for (let l = 0; l < wc.decoderLayers; l++) {
    f[`past_key_values.${l}.decoder.key`] = f32([1, H, 3, D / H], 10 + l);
    f[`past_key_values.${l}.decoder.value`] = f32([1, H, 3, D / H], 20 + l);
    f[`past_key_values.${l}.encoder.key`] = f32([1, H, 6, D / H], 30 + l);
    f[`past_key_values.${l}.encoder.value`] = f32([1, H, 6, D / H], 40 + l);
  }
  return f;
};

const CASES: Case[] = [
  {
    name: 'sd unet', model: () => buildUNet(sd.unet, 0).model,
    feeds: () => ({ sample: f32([1, 4, 8, 8], 1), timestep: new Tensor('float32', [501], []), encoder_hidden_states: f32([1, 77, 32], 2) }),
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, 'com.onnxflow:FusedGroupNorm': o.InstanceNormalization!, 'com.onnxflow:GeGLU': o.Erf!, 'com.onnxflow:Gelu': 0, Split: 0, Softmax: 0, InstanceNormalization: 0, Erf: 0, Sigmoid: 0,
      // every attention's Transposes of Q, K ([0, 2, 3, 1] of the head-split reshape) and V absorbed (q_perm / k_perm / v_perm)
      Transpose: o.Transpose! - 3 * o.Softmax! }),
  },
  {
    name: 'sd text encoder', model: () => buildTextEncoder(sd.textEncoder, 1000, 0).model,
    feeds: () => ({ input_ids: ids([998, 5, 17, 999, 999, 999]) }),
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, Softmax: 0 }),
  },
  {
    name: 'sd vae decoder', model: () => buildVaeDecoder(sd.vae, 0).model,
    feeds: () => ({ latent_sample: f32([1, 4, 4, 4], 3) }),
    // the attention block's q/k/v projections read one Transpose([0, 2, 1]): folded as FusedGemm transA;
    // the Transposes of Q, K and V: absorbed into FusedAttention (q_perm / k_perm / v_perm)
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, 'com.onnxflow:FusedGroupNorm': o.InstanceNormalization!, Softmax: 0, InstanceNormalization: 0, Sigmoid: 0, Transpose: o.Transpose! - 1 - 3 * o.Softmax! }),
  },
  {
    name: 'whisper encoder', model: () => whisper.encoder_model.model,
    feeds: () => ({ input_features: f32([1, 80, 3000], 4) }),
    // conv1 → GELU → conv2 → GELU: both convs take their GELU as FusedConv's activation
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, Softmax: 0, Erf: 0, 'com.onnxflow:FusedConv': o.Conv!, Conv: 0, 'com.onnxflow:Gelu': 0 }),
  },
  {
    name: 'whisper decoder', model: () => whisper.decoder_model.model,
    feeds: () => ({ input_ids: ids([3999, 3990, 3980, 11, 12]), encoder_hidden_states: f32([1, 6, D], 5) }),
    // one Transpose folded into a FusedGemm; every attention's Transposes of Q and K absorbed (q_perm /
    // k_perm; V's head split is also the present-value output, so it stays)
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, Softmax: 0, Erf: 0, Transpose: o.Transpose! - 1 - 2 * o.Softmax! }),
  },
  {
    name: 'whisper decoder with past', model: () => whisper.decoder_with_past_model.model,
    feeds: pastFeeds,
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, Softmax: 0, Erf: 0 }),
  },
  {
    name: 'whisper merged decoder (If branches)', model: () => whisper.decoder_model_merged.model,
    feeds: () => ({ ...pastFeeds(), encoder_hidden_states: f32([1, 6, D], 6), use_cache_branch: new Tensor('bool', [1], [1]) }),
    expect: (o) => ({ 'com.onnxflow:FusedAttention': o.Softmax!, Softmax: 0, Erf: 0, If: 1 }),
  },
];

/** MatMul(x, constant W) + constant bias pairs still in a graph (its subgraphs included). */
function unfusedLinears(g: Graph): string[] {
  const out: string[] = [];
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (const n of g.nodes) {
    for (const a of Object.values(n.attrs)) if (a.type === 'graph') out.push(...unfusedLinears(a.value));
    if (n.opType !== 'Add') continue;
    const mm = n.inputs.map((i) => producer.get(i)).find((p) => p?.opType === 'MatMul');
    if (mm && g.initializers.has(mm.inputs[1]!) && n.inputs.some((i) => g.initializers.has(i))) out.push(mm.name);
  }
  return out;
}

/** MatMul / FusedGemm operands still produced by a Transpose of the last two axes (its subgraphs included). */
function unfoldedTransposes(g: Graph): string[] {
  const out: string[] = [];
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (const n of g.nodes) {
    for (const a of Object.values(n.attrs)) if (a.type === 'graph') out.push(...unfoldedTransposes(a.value));
    if (n.opType !== 'MatMul' && n.opType !== 'FusedGemm') continue;
    for (const i of n.inputs.slice(0, 2)) {
      const t = producer.get(i);
      const perm = t?.opType === 'Transpose' && t.attrs.perm?.type === 'ints' ? t.attrs.perm.value : undefined;
      const r = perm?.length ?? 0;
      if (perm && r >= 2 && perm.every((p, k) => p === (k === r - 2 ? r - 1 : k === r - 1 ? r - 2 : k))) out.push(`${n.name}:${i}`);
    }
  }
  return out;
}

/** FusedAttention nodes whose Kt is still a Transpose read by nothing else (its subgraphs included). */
function unabsorbedKTransposes(g: Graph): string[] {
  const out: string[] = [];
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const readers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  const outputs = new Set(g.outputs.map((o) => o.name));
  for (const n of g.nodes) {
    for (const a of Object.values(n.attrs)) if (a.type === 'graph') out.push(...unabsorbedKTransposes(a.value));
    const kt = n.inputs[1];
    if (n.opType !== 'FusedAttention' || !kt) continue;
    if (producer.get(kt)?.opType === 'Transpose' && readers.get(kt) === 1 && !outputs.has(kt)) out.push(n.name);
  }
  return out;
}

/** FusedAttention nodes (subgraphs included) that read K through `k_perm`. */
function kPermCount(g: Graph): number {
  let n = 0;
  for (const x of g.nodes) {
    for (const a of Object.values(x.attrs)) if (a.type === 'graph') n += kPermCount(a.value);
    if (x.opType === 'FusedAttention' && x.attrs.k_perm) n++;
  }
  return n;
}

describe.each(CASES)('optimizer on $name', (c) => {
  it('fuses every expected pattern and matches the unoptimized graph and onnxruntime-node', async () => {
    const model = c.model();
    const { model: opt, report } = optimizeModel(model, { level: 'all' });
    const before = opCounts(model.graph);
    const after = opCounts(opt.graph);
    for (const [op, n] of Object.entries(c.expect(before))) expect(after[op] ?? 0, op).toBe(n);
    expect(report.nodesAfter).toBeLessThan(report.nodesBefore);
    expect(after['com.onnxflow:FusedGemm']).toBeGreaterThan(0);
    expect(unfusedLinears(opt.graph), 'MatMul + bias Add left unfused').toEqual([]);
    expect(unfoldedTransposes(opt.graph), 'Transpose feeding a MatMul / FusedGemm left unfolded').toEqual([]);
    expect(unabsorbedKTransposes(opt.graph), 'Transpose of K left outside FusedAttention').toEqual([]);
    // every exporter here writes K^T as a Transpose (of K, of the head-split reshape or of the KV concat)
    expect(kPermCount(opt.graph), 'FusedAttention reading K through k_perm').toBe(after['com.onnxflow:FusedAttention'] ?? 0);
    const feeds = c.feeds();
    const ref = await (await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' })).run(feeds);
    const out = await (await InferenceSession.create(model)).run(feeds);
    const ort = await runOrt(encodeModel(model), feeds);
    for (const k of Object.keys(ref)) {
      expectClose(out[k] as Tensor, ref[k] as Tensor, 1e-4, `${c.name} ${k} vs unoptimized`);
      expectClose(out[k] as Tensor, ort[k]!, 1e-3, `${c.name} ${k} vs onnxruntime`);
    }
  }, 60_000);
});

describe('constant folding in the merged decoder', () => {
  it('keeps the tied embedding once: FusedGemm transB reads it in both If branches, no transposed copy', async () => {
    const merged = whisper.decoder_model_merged.model;
    const { model } = optimizeModel(merged);
    const embed = 'model.decoder.embed_tokens.weight_merged_0';
    const ifNode = model.graph.nodes.find((n) => n.opType === 'If')!;
    const branches = ['then_branch', 'else_branch'].map((k) => (ifNode.attrs[k] as { value: Graph }).value);
    for (const b of branches) {
      expect(b.initializers.has('model.decoder.embed_tokens.weight_transposed')).toBe(false);
      expect(b.nodes.some((n) => n.opType === 'Transpose' && n.inputs[0] === embed)).toBe(false);
      const proj = b.nodes.find((n) => n.opType === 'FusedGemm' && n.inputs[1] === embed);
      expect(proj?.attrs.transB).toEqual({ type: 'int', value: 1 });
      expect(b.nodes.some((n) => n.opType === 'Gather' && n.inputs[0] === embed)).toBe(true);
    }
    expect(model.graph.initializers.get(embed)).toBe(merged.graph.initializers.get(embed));
    // every weight the optimized decoders hold is the loaded model's own (subgraphs counted), and the
    // merged decoder still matches the unoptimized graph
    const backends = ['cpu', 'transb-in-place', ...(nativeStatus().available ? ['native'] : [])];
    for (const backend of backends) {
      for (const m of [merged, whisper.decoder_model.model, whisper.decoder_with_past_model.model]) {
        const r = (await InferenceSession.create(m, { backend })).memoryReport();
        expect(r.weightBytesShared, backend).toBe(r.weightBytes);
        expect(r.weightBytes).toBeGreaterThan(0);
      }
      const feeds = { ...pastFeeds(), encoder_hidden_states: f32([1, 6, D], 6), use_cache_branch: new Tensor('bool', [1], [1]) };
      const ref = await (await InferenceSession.create(merged, { graphOptimizationLevel: 'disabled' })).run(feeds);
      const out = await (await InferenceSession.create(merged, { backend })).run(feeds);
      expectClose(out.logits as Tensor, ref.logits as Tensor, 1e-4, `${backend} logits`);
    }
  });

  it('folds the tied-embedding Transpose into one shared transposed copy at level basic (standard ONNX for other runtimes)', async () => {
    const merged = whisper.decoder_model_merged.model;
    for (const backend of [transBInPlace, undefined]) {
      const { model } = optimizeModel(merged, { level: 'basic', backend });
      const ifNode = model.graph.nodes.find((n) => n.opType === 'If')!;
      const branches = ['then_branch', 'else_branch'].map((k) => (ifNode.attrs[k] as { value: Graph }).value);
      const folded = branches.map((b) => b.initializers.get('model.decoder.embed_tokens.weight_transposed'));
      expect(folded[0]?.dims).toEqual([D, merged.graph.initializers.get('model.decoder.embed_tokens.weight_merged_0')!.dims[0]]);
      expect(folded[1]).toBe(folded[0]);
      for (const b of branches) expect(b.nodes.some((n) => n.opType === 'Transpose' && n.outputs[0] === 'model.decoder.embed_tokens.weight_transposed')).toBe(false);
    }
    const r = (await InferenceSession.create(merged, { graphOptimizationLevel: 'basic' })).memoryReport();
    expect(r.weightBytes - r.weightBytesShared).toBe(4 * D * merged.graph.initializers.get('model.decoder.embed_tokens.weight_merged_0')!.dims[0]!);
  });
});

describe('optimizedModelFilePath', () => {
  it.each([
    ['sd text encoder', () => buildTextEncoder(sd.textEncoder, 1000, 0).model, () => ({ input_ids: ids([998, 5, 17, 999]) })],
    ['whisper decoder', () => whisper.decoder_model.model, () => ({ input_ids: ids([3999, 11, 12]), encoder_hidden_states: f32([1, 5, D], 8) })],
  ] as const)('saves the basic-level %s as ONNX that onnxruntime-node runs with the same results', async (name, build, feeds) => {
    const path = join(root, `${name.replace(/ /g, '-')}-basic.onnx`);
    const s = await InferenceSession.create(build(), { graphOptimizationLevel: 'basic', optimizedModelFilePath: path });
    expect(s.optimizedModel.graph.nodes.every((n) => n.domain === '')).toBe(true);
    const f = feeds();
    const ours = await s.run(f);
    const ort = await runOrt(readFileSync(path), f);
    for (const k of Object.keys(ours)) expectClose(ours[k] as Tensor, ort[k]!, 1e-4, k);
  });

  it('saves the all-level model with com.onnxflow ops that loads back into onnxflow', async () => {
    const model = whisper.decoder_model.model;
    const path = join(root, 'dec-all.onnx');
    await InferenceSession.create(model, { optimizedModelFilePath: path });
    const again = await InferenceSession.create(path, { graphOptimizationLevel: 'disabled' });
    expect(again.model.graph.nodes.some((n) => n.domain === 'com.onnxflow')).toBe(true);
    const feeds = { input_ids: ids([3999, 11]), encoder_hidden_states: f32([1, 4, D], 9) };
    const a = await again.run(feeds);
    const b = await (await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' })).run(feeds);
    expectClose(a.logits as Tensor, b.logits as Tensor, 1e-4, 'logits');
  });
});
