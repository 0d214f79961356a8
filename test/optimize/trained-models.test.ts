// The optimizer on the trained default Stable Diffusion models (models/shapes-sd, real
// torch.onnx.export output): every attention, group norm and GELU pattern is fused, and the outputs
// match the unoptimized graph and onnxruntime-node within 1e-4 relative.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../../src/engine/session.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadModel } from '../../src/onnx/builder.js';
import { optimizeModel, opCounts } from '../../src/optimize/index.js';
import { randomFloats } from '../helpers/rng.js';
import { runOrt } from '../helpers/ort.js';
import { expectClose } from '../helpers/close.js';
import { readFileSync } from 'node:fs';

const DIR = 'models/shapes-sd';
const f32 = (dims: number[], seed: number, scale = 1) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed, scale), dims);
const ids = [588, 320, 563, 532, 542, 320, 527, 521, ...Array(69).fill(589)];

const F = (op: string) => `com.onnxflow:${op}`;
const cases: { name: string; feeds: () => Record<string, Tensor> }[] = [
  { name: 'text_encoder', feeds: () => ({ input_ids: new Tensor('int64', ids.map(BigInt), [1, 77]) }) },
  { name: 'unet', feeds: () => ({ sample: f32([2, 4, 8, 8], 1), timestep: new Tensor('float32', [501], []), encoder_hidden_states: f32([2, 77, 64], 2) }) },
  { name: 'vae_decoder', feeds: () => ({ latent_sample: f32([1, 4, 8, 8], 3) }) },
  { name: 'vae_encoder', feeds: () => ({ sample: f32([1, 3, 64, 64], 4) }) },
];

describe('optimizer on the trained shapes SD models', () => {
  it.each(cases)('$name: fuses every attention / norm / GELU and matches unoptimized and onnxruntime-node', async ({ name, feeds }) => {
    const path = join(DIR, name, 'model.onnx');
    const model = loadModel(path);
    const before = opCounts(model.graph);
    const { model: opt } = optimizeModel(model, { level: 'all' });
    const after = opCounts(opt.graph);
    expect(after.Softmax ?? 0).toBe(0);
    expect(after[F('FusedAttention')] ?? 0).toBe(before.Softmax ?? 0);
    expect(after.InstanceNormalization ?? 0).toBe(0);
    expect(after.Erf ?? 0).toBe(0);
    expect(after.Sigmoid ?? 0).toBe(0);
    expect(opt.graph.nodes.length).toBeLessThan(model.graph.nodes.length);
    const f = feeds();
    // the graph whose op counts were checked is the one that runs (not a second optimization of the file)
    const ref = await (await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' })).run(f);
    const out = await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(f);
    const ort = await runOrt(readFileSync(path), f);
    for (const k of Object.keys(ref)) {
      expectClose(out[k] as Tensor, ref[k] as Tensor, 1e-4, `${k} vs unoptimized`);
      expectClose(out[k] as Tensor, ort[k]!, 1e-4, `${k} vs onnxruntime`);
    }
  });
});
