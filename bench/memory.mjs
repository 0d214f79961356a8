// `npm run bench:memory`: the memory a session of the large generated models takes on each backend,
// every (model, backend) in a fresh process: peak RSS (the high-water mark from just before creation,
// through the runs), RSS after creation and after the runs, each less the process's RSS before the session was
// created (Node, onnxflow and onnxruntime-node loaded, feeds made), plus creation and run times. The
// weights are the same ONNX files on both backends; onnxruntime-node runs with its defaults (memory
// arena and pattern planner on, 2 intra-op threads).
//
// Usage: node bench/memory.mjs [--runs 3] [--cases unet-base,vae-decoder,whisper-encoder,whisper-decoder-token]
//          [--backends native,ort] [--base-latent 32] [--vae-latent 16] [--out bench/results/memory.json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { feedSpecs, makeFeeds } from './feeds.mjs';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '3' }, cases: { type: 'string', default: '' }, backends: { type: 'string', default: 'native,ort' },
  'base-latent': { type: 'string', default: '32' }, 'vae-latent': { type: 'string', default: '16' },
  out: { type: 'string', default: 'bench/results/memory.json' }, child: { type: 'string' },
} });
const dist = resolve(process.env.ONNXFLOW_DIST ?? 'dist');
const lib = await import(pathToFileURL(`${dist}/index.js`).href);
const MB = 2 ** 20;

if (values.child) {
  // One session in this process: { path, backend, specs } -> a JSON line on stdout.
  const { path, backend, specs, runs } = JSON.parse(values.child);
  const ort = backend === 'ort' ? (await import('onnxruntime-node')).default : undefined;
  const feeds = makeFeeds(lib, specs);
  const ortFeeds = ort && Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
  const rss = () => process.memoryUsage.rss();
  // The peak from here on: Linux resets the high-water mark (VmHWM) on writing 5 to clear_refs; elsewhere
  // the process's maxRSS, which may include what building the feeds took (then `peakFromStart` is false).
  let hwm = () => process.resourceUsage().maxRSS * 1024;
  let peakFromStart = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    peakFromStart = true;
  } catch { /* not Linux */ }
  const base = rss();
  const t0 = performance.now();
  const s = ort
    ? await ort.InferenceSession.create(path, { intraOpNumThreads: availableParallelism(), interOpNumThreads: 1 })
    : await lib.InferenceSession.create(path, backend === 'bf16' ? { backend: 'native', precision: 'bf16' } : { backend });
  const createMs = performance.now() - t0;
  const created = rss();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await s.run(ort ? ortFeeds : feeds);
    times.push(performance.now() - t);
  }
  const peak = hwm();
  console.log(JSON.stringify({ baseMB: base / MB, peakMB: (peak - base) / MB, peakFromStart, createdMB: (created - base) / MB, afterRunsMB: (rss() - base) / MB, createMs, runMs: times }));
  process.exit(0);
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const config = (dir) => JSON.parse(readFileSync(join(dir, 'unet/config.json'), 'utf8'));
const L = Number(values['base-latent']), VL = Number(values['vae-latent']);
const cases = {
  'unet-base': () => {
    const base = lib.ensureStableDiffusion('base');
    return { shape: `sd-base UNet step, latents 2x4x${L}x${L}`, path: join(base, 'unet/model.onnx'), dims: { '*': 2 },
      fix: { sample: [2, 4, L, L], encoder_hidden_states: [2, 77, config(base).cross_attention_dim] } };
  },
  'vae-decoder': () => ({ shape: `sd-base VAE decoder, latents 1x4x${VL}x${VL}`, path: join(lib.ensureStableDiffusion('base'), 'vae_decoder/model.onnx'),
    dims: { '*': 1 }, fix: { latent_sample: [1, 4, VL, VL] } }),
  'whisper-encoder': () => ({ shape: 'whisper-base encoder, 30 s', path: join(lib.ensureWhisper('base'), 'encoder_model.onnx'), dims: { '*': 1 },
    fix: { input_features: [1, 80, 3000] } }),
  'whisper-decoder-token': () => ({ shape: 'whisper-base decoder_with_past, 100 cached', path: join(lib.ensureWhisper('base'), 'decoder_with_past_model.onnx'),
    dims: { batch_size: 1, past_decoder_sequence_length: 100, encoder_sequence_length_out: 1500, '*': 1 } }),
};
const names = values.cases ? values.cases.split(',') : Object.keys(cases);
const backends = values.backends.split(',');
const rows = [];
for (const name of names) {
  if (!cases[name]) throw new Error(`unknown case '${name}'; cases: ${Object.keys(cases).join(', ')}`);
  const c = cases[name]();
  const specs = feedSpecs(lib, c.path, c.dims, c.fix);
  const row = { case: name, shape: c.shape, fileMB: statSync(c.path).size / MB };
  for (const b of backends) {
    const arg = JSON.stringify({ path: c.path, backend: b, specs, runs: Number(values.runs) });
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', arg], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
    row[b] = JSON.parse(out.trim().split('\n').pop());
    console.error(`${name} ${b}: peak ${row[b].peakMB.toFixed(0)} MB`);
  }
  rows.push(row);
}

const f = (x, d = 0) => (x === undefined ? '-' : x.toFixed(d));
const lines = ['| model | file MB | backend | peak MB | after creation MB | after runs MB | create ms | best run ms | peak / ort |', '|---|---:|---|---:|---:|---:|---:|---:|---:|'];
for (const r of rows) {
  for (const b of backends) {
    const x = r[b];
    lines.push(`| ${r.shape} | ${f(r.fileMB)} | ${b} | ${f(x.peakMB)} | ${f(x.createdMB)} | ${f(x.afterRunsMB)} | ${f(x.createMs)} | ${f(Math.min(...x.runMs))} | ${r.ort ? f(x.peakMB / r.ort.peakMB, 2) : '-'} |`);
  }
}
console.log(lines.join('\n'));
mkdirSync(dirname(resolve(values.out)), { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
console.log(`\nwrote ${values.out}`);
