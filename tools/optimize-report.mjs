#!/usr/bin/env node
// Optimizer and memory-planner report for every torch fixture and pipeline model (sd-tiny, whisper-tiny):
// node counts before/after our optimizer, fusions by kind, planned peak activation memory (the
// engine's arena) before/after, and the same for onnxruntime-node's own optimized model at levels
// 'extended' and 'all' (saved with optimizedModelFilePath, loaded with our loader).
//
//   node tools/optimize-report.mjs [--build dist] [--out optimize-report.json] [--only NAME]

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values: args } = parseArgs({ options: { build: { type: 'string', default: 'dist' }, out: { type: 'string', default: 'optimize-report.json' }, only: { type: 'string' } } });
const B = resolve(args.build);
const load = (p) => import(pathToFileURL(join(B, p)).href);
const { loadModelFile } = await load('onnx/decode.js');
const { optimizeModel, opCounts, countNodes } = await load('optimize/index.js');
const { planPeakMemory } = await load('optimize/memory.js');
const { generateStableDiffusion, generateWhisper } = await load('generate/index.js');
let ort;
try {
  ort = (await import('onnxruntime-node')).default;
} catch (e) {
  console.error(`onnxruntime-node not available: ${e.message}`);
}

const root = resolve(new URL('..', import.meta.url).pathname);
const tmp = mkdtempSync(join(tmpdir(), 'onnxflow-optreport-'));

/** Symbolic dim values from a fixture's recorded inputs. */
function fixtureDims(model, jsonPath) {
  const j = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const dims = {};
  for (const i of model.graph.inputs) {
    const rec = j.inputs[i.name];
    if (!rec || i.type?.kind !== 'tensor' || !i.type.shape) continue;
    i.type.shape.forEach((d, k) => { if (typeof d === 'string') dims[d] = rec.dims[k]; });
  }
  return dims;
}

const models = [];
for (const f of readdirSync(join(root, 'test/fixtures/torch')).filter((f) => f.endsWith('.onnx')).sort()) {
  const path = join(root, 'test/fixtures/torch', f);
  models.push({ name: `torch/${f.replace(/\.onnx$/, '')}`, path, dims: (m) => fixtureDims(m, path.replace(/\.onnx$/, '.json')) });
}
const sd = join(tmp, 'sd-tiny');
generateStableDiffusion(sd, { size: 'tiny', seed: 0 });
const SEQ = 77;
models.push(
  { name: 'sd-tiny/text_encoder', path: join(sd, 'text_encoder/model.onnx'), dims: () => ({ batch_size: 2, sequence_length: SEQ }) },
  { name: 'sd-tiny/unet', path: join(sd, 'unet/model.onnx'), dims: () => ({ batch_size: 2, height: 8, width: 8, sequence_length: SEQ }) },
  { name: 'sd-tiny/vae_decoder', path: join(sd, 'vae_decoder/model.onnx'), dims: () => ({ batch_size: 1, latent_height: 8, latent_width: 8 }) },
  { name: 'sd-tiny/vae_encoder', path: join(sd, 'vae_encoder/model.onnx'), dims: () => ({ batch_size: 1, sample_height: 64, sample_width: 64 }) },
);
const wh = join(tmp, 'whisper-tiny');
generateWhisper(wh, { size: 'tiny', seed: 0 });
const whDims = () => ({ batch_size: 1, decoder_sequence_length: 4, past_decoder_sequence_length: 4, 'encoder_sequence_length / 2': 1500, encoder_sequence_length_out: 1500 });
for (const m of ['encoder_model', 'decoder_model', 'decoder_with_past_model', 'decoder_model_merged']) {
  models.push({ name: `whisper-tiny/${m}`, path: join(wh, `${m}.onnx`), dims: whDims });
}

const kib = (b) => (b === undefined ? '–' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const memOf = (model, dims) => {
  try {
    return planPeakMemory(model, dims);
  } catch (e) {
    return { error: e.message };
  }
};

/** Initializer bytes: loaded, held by the optimized graph, and how much of that is the loaded data itself. */
function weightsOf(model, opt) {
  const bytes = (t) => (Array.isArray(t.data) ? 0 : t.data.byteLength);
  const loaded = new Set([...model.graph.initializers.values()].map((t) => t.data));
  let held = 0, shared = 0, loadedBytes = 0;
  for (const t of model.graph.initializers.values()) loadedBytes += bytes(t);
  for (const t of opt.graph.initializers.values()) {
    held += bytes(t);
    if (loaded.has(t.data)) shared += bytes(t);
  }
  return { loaded: loadedBytes, held, shared, created: held - shared };
}

async function ortOptimized(path, level, dims) {
  if (!ort) return { error: 'onnxruntime-node not installed' };
  const out = join(tmp, `ort-${level}-${Math.random().toString(36).slice(2)}.onnx`);
  try {
    const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: level, optimizedModelFilePath: out, executionProviders: ['cpu'] });
    await s.release?.();
  } catch (e) {
    return { error: `onnxruntime-node refused: ${String(e.message).split('\n')[0]}` };
  }
  let m;
  try {
    m = loadModelFile(out);
  } catch (e) {
    return { error: `saved, but our loader cannot read it: ${e.message}` };
  }
  const ops = opCounts(m.graph);
  return { nodes: countNodes(m.graph), ops, contribOps: Object.fromEntries(Object.entries(ops).filter(([k]) => k.includes(':'))), memory: memOf(m, dims) };
}

const rows = [];
for (const spec of models) {
  if (args.only && !spec.name.includes(args.only)) continue;
  const model = loadModelFile(spec.path);
  const dims = spec.dims(model);
  const { model: opt, report } = optimizeModel(model, { level: 'all' });
  const row = {
    model: spec.name, dims,
    nodesBefore: report.nodesBefore, nodesAfter: report.nodesAfter, fusions: report.fusions,
    memoryBefore: memOf(model, dims), memoryAfter: memOf(opt, dims),
    weights: weightsOf(model, opt),
    ort: { extended: await ortOptimized(spec.path, 'extended', dims), all: await ortOptimized(spec.path, 'all', dims) },
  };
  rows.push(row);
  process.stderr.write(`${spec.name} done\n`);
}

const fus = (f) => Object.entries(f).map(([k, n]) => `${k}×${n}`).join(', ') || '–';
/** Planned arena, plus what the plan leaves out: kernel scratch, subgraph bodies, values of unknown size. */
const mem = (m) => {
  if (!m || m.error) return `– (${m?.error ?? 'n/a'})`;
  let t = kib(m.planned);
  if (m.scratch) t += ` + ${kib(m.scratch)} scratch`;
  if (m.subgraphs) t += ` + branch ${kib(m.subgraphs)}`;
  if (m.unplanned) t += ` (${m.unplanned} unsized)`;
  return t;
};
const ortCell = (r) => (r.error ? `✗ ${r.error.slice(0, 80)}` : `${r.nodes} / ${mem(r.memory)}`);
console.log('| model | nodes before → after | fusions (ours) | peak activation (planned arena): before → after | naive sum: before → after | weights held (shared with loaded) | ORT extended: nodes / peak | ORT all: nodes / peak |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const w = r.weights;
  console.log(`| ${r.model} | ${r.nodesBefore} → ${r.nodesAfter} | ${fus(r.fusions)} | ${mem(r.memoryBefore)} → ${mem(r.memoryAfter)} | ${kib(r.memoryBefore.naive)} → ${kib(r.memoryAfter.naive)} | ${kib(w.held)} (${((100 * w.shared) / Math.max(1, w.held)).toFixed(1)}%) | ${ortCell(r.ort.extended)} | ${ortCell(r.ort.all)} |`);
}
console.log('\nPeak: the arena the engine plans for one run at the dims shown in the JSON; "+ scratch": the largest kernel working buffer outside it (FusedAttention scores); "+ branch": the largest If/Loop body planned on its own (bodies run without an arena); "unsized": values shape inference cannot size before the run (left out; onnxruntime\'s com.microsoft / nchwc ops have no shape rules here, so its peaks are lower bounds).');
console.log('\nonnxruntime-node contrib / fused ops in its optimized models (level all; extended where all failed):\n');
console.log('| model | ORT ops outside ai.onnx |');
console.log('|---|---|');
for (const r of rows) {
  const o = r.ort.all.error ? r.ort.extended : r.ort.all;
  console.log(`| ${r.model} | ${o.error ? o.error : fus(o.contribOps)} |`);
}
writeFileSync(args.out, JSON.stringify(rows, null, 2));
console.error(`wrote ${args.out}`);
rmSync(tmp, { recursive: true, force: true });
