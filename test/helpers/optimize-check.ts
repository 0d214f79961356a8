// Optimize a model at a level, assert op counts, and compare the optimized graph with the unoptimized
// one and with onnxruntime-node (1e-4 relative); a basic-level result is standard ONNX, so
// onnxruntime-node runs it too.
import { expect } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { InferenceSession } from '../../src/engine/session.js';
import type { Model } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { type OptimizationLevel, optimizeModel, opCounts } from '../../src/optimize/index.js';
import { expectClose } from './close.js';
import { runOrt } from './ort.js';

export async function checkOptimized(m: Model, feeds: Record<string, Tensor>, level: OptimizationLevel, want: Record<string, number>, backend?: Backend) {
  const { model: opt, report } = optimizeModel(m, { level, backend });
  const after = opCounts(opt.graph);
  for (const [op, c] of Object.entries(want)) expect(after[op] ?? 0, op).toBe(c);
  const ref = await (await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const out = await (await InferenceSession.create(opt, { graphOptimizationLevel: 'disabled' })).run(feeds);
  const ort = await runOrt(encodeModel(m), feeds);
  const ortOpt = level === 'basic' ? await runOrt(encodeModel(opt), feeds) : undefined;
  for (const k of Object.keys(ref)) {
    expectClose(out[k] as Tensor, ref[k] as Tensor, 1e-4, `${k} vs unoptimized`);
    expectClose(out[k] as Tensor, ort[k]!, 1e-4, `${k} vs onnxruntime`);
    if (ortOpt) expectClose(ortOpt[k]!, ref[k] as Tensor, 1e-4, `${k}: optimized on onnxruntime`);
  }
  return { opt, report };
}
