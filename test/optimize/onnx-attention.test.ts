// ai.onnx Attention (opset 23) → com.onnxflow FusedAttention (src/optimize/fuse-onnx-attention.ts):
// the ONNX backend tests test_attention_* run at level 'all', the rewrite fires on every mappable one
// and the outputs match the reference .pb outputs (the conformance tolerance); small builder models
// check the mapping against the unoptimized graph and onnxruntime-node, and what must stay Attention.
import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Model, Node, ValueInfo } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { InferenceSession } from '../../src/engine/session.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { findSuite, listCases, loadCaseModel, loadDataSets } from '../../src/conformance/cases.js';
import { compareValues, DEFAULT_TOLERANCE } from '../../src/conformance/compare.js';
import { randomFloats } from '../helpers/rng.js';
import { runOrt } from '../helpers/ort.js';
import { expectClose } from '../helpers/close.js';

const FA = 'com.onnxflow:FusedAttention';

/** The test_attention_* cases the rewrite must leave: softcap, qk_matmul_output, nonpad lengths, fp16 or a padded mask. */
const unmappable = /softcap|qk_matmul|nonpad|fp16|padded_kv/;

const suite = findSuite();
const cases = suite ? listCases(suite, ['node']).filter((c) => /\/test_attention_/.test(c.id) && !c.id.endsWith('_expanded')) : [];

describe.skipIf(!cases.length)('ONNX backend tests test_attention_* at level all', () => {
  it.each(cases.map((c) => [c.id.split('/')[1]!, c] as const))('%s', async (name, c) => {
    const model = loadCaseModel(c);
    const { model: opt, report } = optimizeModel(model, { level: 'all' });
    const fired = report.fusions['FusedAttention(Attention)'] ?? 0;
    const after = opCounts(opt.graph);
    if (unmappable.test(name)) {
      expect(fired, 'left as Attention').toBe(0);
      expect(after.Attention).toBe(1);
    } else {
      expect(fired, 'rewritten').toBe(1);
      expect(after.Attention ?? 0).toBe(0);
      expect(after[FA]).toBe(1);
    }
    const session = await InferenceSession.create(model, { graphOptimizationLevel: 'all' });
    expect(opCounts(session.optimizedModel.graph)[FA] ?? 0).toBe(fired);
    for (const [si, set] of loadDataSets(c, model).entries()) {
      const results = await session.run(Object.fromEntries(set.inputs));
      for (const [out, expected] of set.outputs) expect(compareValues(expected, results[out], DEFAULT_TOLERANCE, `set ${si} '${out}'`)).toBeNull();
    }
  });

  it('covers the mappable cases (GQA, 3-D, masks, causal, KV cache)', () => {
    expect(cases.filter((c) => !unmappable.test(c.id)).length).toBeGreaterThanOrEqual(40);
  });
});

const n = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(n(dims), seed), dims);

function model(node: Node, inputs: ValueInfo[], outputs = ['y']): Model {
  return makeModel(makeGraph([node], 'g', inputs, outputs.map((o) => vi(o, 'float32'))), { opsets: { '': 23 } });
}

async function check(m: Model, feeds: Record<string, Tensor>, fused: number) {
  const { model: opt } = optimizeModel(m, { level: 'all' });
  const after = opCounts(opt.graph);
  expect(after[FA] ?? 0).toBe(fused);
  expect(after.Attention ?? 0).toBe(1 - fused);
  const ref = await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const out = await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const ort = await runOrt(encodeModel(m), feeds);
  for (const k of Object.keys(ref)) {
    expectClose(out[k] as Tensor, ref[k] as Tensor, 1e-4, `${k} vs unoptimized`);
    expectClose(out[k] as Tensor, ort[k]!, 1e-4, `${k} vs onnxruntime`);
  }
  return opt;
}

describe('Attention → FusedAttention', () => {
  it('4-D, causal with an additive mask and a scale', async () => {
    const m = model(makeNode('Attention', ['q', 'k', 'v', 'm'], ['y'], { is_causal: 1, scale: 0.3 }),
      [vi('q', 'float32', [2, 3, 5, 4]), vi('k', 'float32', [2, 3, 6, 4]), vi('v', 'float32', [2, 3, 6, 7]), vi('m', 'float32', [5, 6])]);
    const opt = await check(m, { q: f32([2, 3, 5, 4], 1), k: f32([2, 3, 6, 4], 2), v: f32([2, 3, 6, 7], 3), m: f32([5, 6], 4) }, 1);
    const fa = opt.graph.nodes.find((x) => x.opType === 'FusedAttention')!;
    expect(fa.attrs.is_causal).toEqual({ type: 'int', value: 1 });
    expect(fa.attrs.scale).toEqual({ type: 'float', value: 0.3 });
  });

  it('3-D grouped-query attention with a per-head bool mask, a fully masked row giving zeros', async () => {
    const mask = new Tensor('bool', Array.from({ length: 4 * 3 * 5 }, (_, i) => (i % 5 === 0 || i % 7 === 1) && i >= 5), [4, 3, 5]);
    const m = model(makeNode('Attention', ['q', 'k', 'v', 'm'], ['y'], { q_num_heads: 4, kv_num_heads: 2 }),
      [vi('q', 'float32', [2, 3, 4 * 6]), vi('k', 'float32', [2, 5, 2 * 6]), vi('v', 'float32', [2, 5, 2 * 3]), vi('m', 'bool', [4, 3, 5])]);
    const feeds = { q: f32([2, 3, 24], 5), k: f32([2, 5, 12], 6), v: f32([2, 5, 6], 7), m: mask };
    await check(m, feeds, 1);
    const out = await (await InferenceSession.create(m)).run(feeds);
    // head 0, query 0 has no open key (mask entries 0..4 are false): zeros, not NaN
    expect(Array.from((out.y as Tensor).data as Float32Array).slice(0, 3)).toEqual([0, 0, 0]);
  });

  it('4-D grouped-query attention with a KV cache, causal (bottom-right), present outputs as Concats', async () => {
    const m = model(makeNode('Attention', ['q', 'k', 'v', '', 'pk', 'pv'], ['y', 'k_all', 'v_all'], { is_causal: 1 }),
      [vi('q', 'float32', [2, 6, 3, 4]), vi('k', 'float32', [2, 2, 3, 4]), vi('v', 'float32', [2, 2, 3, 5]),
        vi('pk', 'float32', [2, 2, 4, 4]), vi('pv', 'float32', [2, 2, 4, 5])], ['y', 'k_all', 'v_all']);
    const opt = await check(m, { q: f32([2, 6, 3, 4], 11), k: f32([2, 2, 3, 4], 12), v: f32([2, 2, 3, 5], 13), pk: f32([2, 2, 4, 4], 14), pv: f32([2, 2, 4, 5], 15) }, 1);
    expect(opCounts(opt.graph).Concat).toBe(2);
    expect(opt.graph.nodes.find((x) => x.opType === 'FusedAttention')!.attrs.is_causal).toEqual({ type: 'int', value: 2 });
  });

  it('3-D with present outputs and no cache: the keys and values in head layout', async () => {
    const m = model(makeNode('Attention', ['q', 'k', 'v', 'm'], ['y', 'k_all', 'v_all'], { q_num_heads: 2, kv_num_heads: 2 }),
      [vi('q', 'float32', [1, 3, 8]), vi('k', 'float32', [1, 5, 8]), vi('v', 'float32', [1, 5, 6]), vi('m', 'float32', [1, 2, 3, 5])], ['y', 'k_all', 'v_all']);
    await check(m, { q: f32([1, 3, 8], 16), k: f32([1, 5, 8], 17), v: f32([1, 5, 6], 18), m: f32([1, 2, 3, 5], 19) }, 1);
  });

  it('stays Attention with softcap, qk_matmul_output, causal over a cache of a different query length, or plain on a backend with its own Attention kernel', async () => {
    const ins = [vi('q', 'float32', [1, 2, 3, 4]), vi('k', 'float32', [1, 2, 3, 4]), vi('v', 'float32', [1, 2, 3, 4])];
    const feeds = { q: f32([1, 2, 3, 4], 8), k: f32([1, 2, 3, 4], 9), v: f32([1, 2, 3, 4], 10) };
    await check(model(makeNode('Attention', ['q', 'k', 'v'], ['y'], { softcap: 2.5 }), ins), feeds, 0);
    await check(model(makeNode('Attention', ['q', 'k', 'v'], ['y', '', '', 'qk']), ins, ['y', 'qk']), feeds, 0);
    const past = [...ins.slice(0, 1), vi('k', 'float32', [1, 2, 2, 4]), vi('v', 'float32', [1, 2, 2, 4]), vi('pk', 'float32', [1, 2, 1, 4]), vi('pv', 'float32', [1, 2, 1, 4])];
    await check(model(makeNode('Attention', ['q', 'k', 'v', '', 'pk', 'pv'], ['y', 'pko', 'pvo'], { is_causal: 1 }), past, ['y', 'pko', 'pvo']),
      { q: f32([1, 2, 3, 4], 20), k: f32([1, 2, 2, 4], 21), v: f32([1, 2, 2, 4], 22), pk: f32([1, 2, 1, 4], 23), pv: f32([1, 2, 1, 4], 24) }, 0);
    const plain = model(makeNode('Attention', ['q', 'k', 'v'], ['y']), ins);
    await check(plain, feeds, 1);
    const own = { name: 'own', getKernel: (op: string, d: string, v: number) => (op === 'Attention' ? () => [] : cpuBackend.getKernel(op, d, v)) };
    expect(opCounts(optimizeModel(plain, { backend: own }).model.graph)).toEqual({ Attention: 1 });
    expect(opCounts(optimizeModel(plain, { backend: cpuBackend }).model.graph)[FA]).toBe(1);
    // masks and caches go to the fused op even there (the own kernel takes the plain case)
    const masked = model(makeNode('Attention', ['q', 'k', 'v', 'm'], ['y'], { is_causal: 1 }), [...ins, vi('m', 'float32', [1, 1, 3, 3])]);
    expect(opCounts(optimizeModel(masked, { backend: own }).model.graph)[FA]).toBe(1);
  });
});
