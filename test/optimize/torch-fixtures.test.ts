// The optimizer on graphs written by PyTorch's real exporter (torch 1.13, opsets 14 and 17;
// regenerate with tools/fixtures/export_torch_fixtures.py, no Python needed here): the optimized
// model matches the unoptimized one, the outputs torch computed and onnxruntime-node (1e-4
// relative), and the expected fusions fire, counted per fixture.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../../src/engine/session.js';
import { Tensor } from '../../src/ir/tensor.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { runOrt } from '../helpers/ort.js';
import { expectClose } from '../helpers/close.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');

interface Json { dims: number[]; type: 'float32'; data: number[] }
const toTensor = (j: Json) => new Tensor('float32', Float32Array.from(j.data), j.dims);

const F = (op: string) => `com.onnxflow:${op}`;

/**
 * Fused-op counts expected at level 'all' (an op left out of the object is not checked), per opset.
 * Layer norms: at opset 14 torch spells them ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add, at 17
 * as LayerNormalization; either way each one ends as one LayerNormalization or, after a residual Add,
 * one SkipLayerNormalization.
 */
/**
 * `plain` layer norms on a graph input or a non-residual value, `skip` ones right after a residual Add.
 * A plain one stays ai.onnx LayerNormalization at opset 17 and becomes com.onnxflow's at opset 14.
 */
const norms = (opset: number, plain: number, skip: number) => ({
  [F('LayerNormalization')]: opset < 17 ? plain : 0, LayerNormalization: opset < 17 ? 0 : plain, [F('SkipLayerNormalization')]: skip, ReduceMean: 0,
});

const CASES: { name: string; expect: (opset: number) => Record<string, number> }[] = [
  {
    // pre-LN block: ln1(x), x + attn → ln2 (skip), h + mlp → final LN (skip); causal additive mask
    name: 'clip_text_block',
    expect: (opset) => ({ [F('FusedAttention')]: 1, Softmax: 0, [F('QuickGelu')]: 0 /* an epilogue of the fc1 FusedGemm */, Sigmoid: 0, ...norms(opset, 1, 2), [F('FusedGemm')]: 6 }),
  },
  {
    // GPT-2: causal mask through Where, tanh GELU
    name: 'gpt_block',
    expect: (opset) => ({ [F('FusedAttention')]: 1, Softmax: 0, Where: 0, [F('Gelu')]: 0, Tanh: 0, ...norms(opset, 1, 2), [F('FusedGemm')]: 6 }),
  },
  {
    name: 'whisper_encoder_layer',
    expect: (opset) => ({ [F('FusedAttention')]: 1, Softmax: 0, Erf: 0, ...norms(opset, 1, 1), [F('FusedGemm')]: 5 }),
  },
  {
    // self-attention over Concat(past, new) keys/values (present_* are outputs) and cross-attention
    name: 'whisper_decoder_layer',
    expect: (opset) => ({ [F('FusedAttention')]: 2, Softmax: 0, Erf: 0, ...norms(opset, 1, 2), [F('FusedGemm')]: 8, MatMul: 2 /* the bias-free k projections */ }),
  },
  {
    // ResNet (3 GroupNorms incl. the transformer's), Transformer2D (self + cross attention, GEGLU)
    name: 'unet_block',
    expect: (opset) => ({ [F('FusedAttention')]: 2, Softmax: 0, [F('FusedGroupNorm')]: 3, InstanceNormalization: 0, [F('GeGLU')]: 1, [F('Gelu')]: 0, Slice: 0, Erf: 0, Sigmoid: 0, ...norms(opset, 1, 2) }),
  },
  {
    // the attention's q/k/v Linear layers read one Transpose([0, 2, 1]) of the flattened image: FusedGemm transA;
    // the attention's Transposes of Q, K and V: absorbed into FusedAttention
    name: 'vae_decoder_block',
    expect: () => ({ [F('FusedAttention')]: 1, Softmax: 0, [F('FusedGroupNorm')]: 6, InstanceNormalization: 0, Sigmoid: 0, [F('FusedGemm')]: 4, Transpose: 2, MatMul: 0 }),
  },
  {
    // stem Conv + ReLU, depthwise Conv (bias=False) + bias Add + SiLU, 1x1 Conv + GELU, dilated Conv + ReLU, plain head Conv
    name: 'conv_act_block',
    expect: () => ({ [F('FusedConv')]: 4, Conv: 1, Add: 0, Relu: 0, Sigmoid: 0, Mul: 0, Erf: 0, [F('SiLU')]: 0, [F('Gelu')]: 0 }),
  },
];

describe.each(CASES.flatMap((c) => [14, 17].map((opset) => ({ ...c, opset, label: `${c.name}_opset${opset}` }))))('torch export $label', (c) => {
  it('fuses the expected patterns and matches torch, the unoptimized graph and onnxruntime-node', async () => {
    const bytes = readFileSync(join(DIR, `${c.label}.onnx`));
    const io = JSON.parse(readFileSync(join(DIR, `${c.label}.json`), 'utf8')) as { inputs: Record<string, Json>; outputs: Record<string, Json> };
    const model = decodeModel(bytes);
    const { model: opt, report } = optimizeModel(model, { level: 'all' });
    const after = opCounts(opt.graph);
    if (process.env.TORCH_FIXTURE_REPORT) console.log(c.label, report.nodesBefore, '->', report.nodesAfter, JSON.stringify(report.fusions), JSON.stringify(after));
    for (const [op, n] of Object.entries(c.expect(c.opset))) expect(after[op] ?? 0, `${c.label}: ${op}`).toBe(n);
    // torch's K^T (k.transpose(-1, -2), merged with the head split into one Transpose): absorbed as k_perm
    // (the head splits of Q and V too, where nothing else reads them, as q_perm / v_perm)
    const fas = opt.graph.nodes.filter((n) => n.opType === 'FusedAttention');
    expect(fas.filter((n) => n.attrs.k_perm).length, `${c.label}: FusedAttention with k_perm`).toBe(fas.length);
    expect(report.nodesAfter).toBeLessThan(report.nodesBefore);
    const feeds = Object.fromEntries(Object.entries(io.inputs).map(([k, v]) => [k, toTensor(v)]));
    const ref = await (await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' })).run(feeds);
    const out = await (await InferenceSession.create(model)).run(feeds);
    const ort = await runOrt(bytes, feeds);
    for (const [k, t] of Object.entries(io.outputs)) {
      const torch = toTensor(t);
      expectClose(out[k] as Tensor, ref[k] as Tensor, 1e-4, `${c.label} ${k}: optimized vs unoptimized`);
      expectClose(out[k] as Tensor, torch, 1e-4, `${c.label} ${k}: optimized vs torch`);
      expectClose(ref[k] as Tensor, torch, 1e-4, `${c.label} ${k}: unoptimized vs torch`);
      expectClose(out[k] as Tensor, ort[k]!, 1e-4, `${c.label} ${k}: optimized vs onnxruntime`);
    }
  }, 60_000);
});
