// `npm run bench`: the native backend side by side with onnxruntime-node on the same ONNX files, in
// one run: the machine's FMA peak, GEMMs, attention (onnxflow fuses the MatMul-Softmax-MatMul graph
// into FusedAttention; onnxruntime runs the graph as is), a 3x3 conv, and whole generated models
// (UNet step tiny / base, VAE decoder, Whisper encoder, Whisper decoder token with a KV cache).
// Prints a markdown table (GFLOP/s where the flops are known, % of the measured FMA peak, best ms,
// native / ort speed ratio, process RSS growth) and writes JSON to bench/results/. The native backend
// also runs with precision 'bf16' (bf16 weights, fp32 compute): its time, its ratio to onnxruntime's
// fp32 and its accuracy cost (largest |bf16 - fp32| over the outputs, relative to the largest |fp32|).
//
// Usage: node bench/run.mjs [--runs 5] [--cases gemm,attn,conv,models | names] [--skip-base] [--skip-bf16] [--cpu]
//          [--base-latent 32] [--vae-latent 16] [--settle 30] [--warm-ms 1000] [--out bench/results/bench.json]
// $ONNXFLOW_DIST picks the compiled engine (default dist/). Timings on a shared machine are noisy:
// backends run interleaved (one call each per round) so load hits them alike; compare the ratios.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { feedSpecs, makeFeeds, rand } from './feeds.mjs';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '5' }, cases: { type: 'string', default: '' },
  'skip-base': { type: 'boolean', default: false }, 'skip-bf16': { type: 'boolean', default: false }, cpu: { type: 'boolean', default: false },
  'base-latent': { type: 'string', default: '32' }, 'vae-latent': { type: 'string', default: '16' },
  settle: { type: 'string', default: '30' }, 'warm-ms': { type: 'string', default: '1000' }, out: { type: 'string', default: 'bench/results/bench.json' },
} });
const runs = Number(values.runs), settle = Number(values.settle), warmMs = Number(values['warm-ms']);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.env.ONNXFLOW_DIST ?? 'dist');
const lib = await import(pathToFileURL(`${dist}/index.js`).href);
const native = await import(pathToFileURL(`${dist}/backends/native/index.js`).href);
const { InferenceSession, Tensor, encodeModel, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo, intsAttr, floatAttr } = lib;
const status = native.nativeStatus();
const addon = native.nativeAddon();
const threads = status.available ? status.info.threads : availableParallelism();

const vi = (n, d) => makeTensorValueInfo(n, 'float32', d);
const T = (dims, seed, scale) => new Tensor('float32', rand(dims.reduce((a, b) => a * b, 1), seed, scale), dims);

// ---- Cases: { name, group, shape, flops?, bytes (ONNX), feeds, ortOk? }
function matmulCase(name, M, K, N) {
  const model = makeModel(makeGraph([makeNode('MatMul', ['x', 'w'], ['y'])], name, [vi('x', [M, K])], [vi('y', [M, N])],
    [makeTensor('w', 'float32', [K, N], rand(K * N, 2))]), { opsets: { '': 17 } });
  return { name, group: 'gemm', shape: `${M}x${K}x${N} (MxKxN)`, flops: 2 * M * N * K, bytes: encodeModel(model), feeds: { x: T([M, K], 1) } };
}

/** Q [BH, Sq, D] x K^T [BH, D, Skv] -> Mul scale -> Softmax -> x V [BH, Skv, D]: the unfused graph torch exports. */
function attentionCase(name, BH, Sq, Skv, D, label) {
  const nodes = [
    makeNode('MatMul', ['q', 'kt'], ['s']),
    makeNode('Mul', ['s', 'scale'], ['ss']),
    makeNode('Softmax', ['ss'], ['p'], { axis: -1 }),
    makeNode('MatMul', ['p', 'v'], ['y']),
  ];
  const model = makeModel(makeGraph(nodes, name, [vi('q', [BH, Sq, D]), vi('kt', [BH, D, Skv]), vi('v', [BH, Skv, D])], [vi('y', [BH, Sq, D])],
    [makeTensor('scale', 'float32', [], new Float32Array([1 / Math.sqrt(D)]))]), { opsets: { '': 17 } });
  return {
    name, group: 'attn', shape: label, flops: 2 * BH * Sq * Skv * 2 * D, bytes: encodeModel(model),
    feeds: { q: T([BH, Sq, D], 6, 4), kt: T([BH, D, Skv], 7, 4), v: T([BH, Skv, D], 8) },
  };
}

function convCase(name, C, M, H, W, k) {
  const model = makeModel(makeGraph([makeNode('Conv', ['x', 'w', 'b'], ['y'], { pads: intsAttr([1, 1, 1, 1]) })], name,
    [vi('x', [1, C, H, W])], [vi('y', [1, M, H, W])],
    [makeTensor('w', 'float32', [M, C, k, k], rand(M * C * k * k, 3)), makeTensor('b', 'float32', [M], rand(M, 4))]), { opsets: { '': 17 } });
  return { name, group: 'conv', shape: `${C}->${M} ${k}x${k} at ${H}x${W}`, flops: 2 * M * H * W * C * k * k, bytes: encodeModel(model), feeds: { x: T([1, C, H, W], 5) } };
}

/** Whole-model cases that `want` selects; a model folder is generated only when one of its cases is wanted. */
async function modelCases() {
  const out = [];
  const add = (name, make) => {
    if (want({ name, group: 'models' })) out.push({ name, group: 'models', ...make() });
  };
  const sd = (size) => lib.ensureStableDiffusion(size);
  const wh = (size) => lib.ensureWhisper(size);
  const config = (dir) => JSON.parse(readFileSync(join(dir, 'unet/config.json'), 'utf8'));
  add('unet-tiny', () => {
    const tiny = sd('tiny');
    const L = config(tiny).sample_size;
    return { shape: `sd-tiny UNet step, latents 2x4x${L}x${L}`, path: join(tiny, 'unet/model.onnx'),
      dims: { batch: 2, height: L, width: L, sequence: 77, '*': 2 }, fix: { encoder_hidden_states: [2, 77, config(tiny).cross_attention_dim], sample: [2, 4, L, L] } };
  });
  // the pipelines' defaults: the trained shapes SD UNet (8x8 latents, CFG batch 2) and the trained
  // speech Whisper decoder (one token against 20 cached, 5 s of audio = 250 encoder frames)
  const shapes = join(ROOT, 'models', 'shapes-sd');
  if (existsSync(join(shapes, 'unet/model.onnx'))) {
    add('unet-shapes', () => ({ shape: 'shapes-sd UNet step (default model), latents 2x4x8x8', path: join(shapes, 'unet/model.onnx'),
      dims: { '*': 2 }, fix: { sample: [2, 4, 8, 8], encoder_hidden_states: [2, 77, config(shapes).cross_attention_dim] } }));
  }
  const speech = join(ROOT, 'models', 'speech-whisper');
  if (existsSync(join(speech, 'decoder_with_past_model.onnx'))) {
    add('decoder-token-speech', () => ({ shape: 'speech-whisper decoder_with_past (default model), 1 token, 20 cached', path: join(speech, 'decoder_with_past_model.onnx'),
      dims: { batch_size: 1, past_decoder_sequence_length: 20, encoder_sequence_length_out: 250, '*': 1 } }));
  }
  if (!values['skip-base']) {
    add('unet-base', () => {
      const base = sd('base');
      const L = Number(values['base-latent']);
      return { shape: `sd-base UNet step (1.26 GB), latents 2x4x${L}x${L}`, path: join(base, 'unet/model.onnx'), heavy: true,
        dims: { '*': 2 }, fix: { encoder_hidden_states: [2, 77, config(base).cross_attention_dim], sample: [2, 4, L, L] } };
    });
  }
  add('vae-decoder', () => {
    const VL = Number(values['vae-latent']);
    const vaeDir = sd(values['skip-base'] ? 'tiny' : 'base');
    return { shape: `${values['skip-base'] ? 'sd-tiny' : 'sd-base'} VAE decoder, latents 1x4x${VL}x${VL}`, path: join(vaeDir, 'vae_decoder/model.onnx'),
      dims: { '*': 1 }, fix: { latent_sample: [1, 4, VL, VL] } };
  });
  add('whisper-encoder', () => ({ shape: 'whisper-base encoder, 30 s (1x80x3000)', path: join(wh('base'), 'encoder_model.onnx'), dims: { '*': 1 }, fix: { input_features: [1, 80, 3000] } }));
  add('whisper-decoder-token', () => ({ shape: 'whisper-base decoder_with_past, 1 token, 100 cached', path: join(wh('base'), 'decoder_with_past_model.onnx'),
    dims: { batch_size: 1, past_decoder_sequence_length: 100, encoder_sequence_length_out: 1500, '*': 1 } }));
  return out;
}

const micro = [
  matmulCase('gemm1024', 1024, 1024, 1024),
  matmulCase('gemm4096x320x320', 4096, 320, 320),
  matmulCase('gemm1500x384x1536', 1500, 384, 1536),
  matmulCase('gemv1x768x3072', 1, 768, 3072),
  attentionCase('attn-sd', 8, 4096, 4096, 40, 'SD self-attn 8 heads x 4096 x 4096 x d40 (ort: unfused graph)'),
  attentionCase('attn-whisper', 20, 1500, 1500, 64, 'Whisper enc 20 x 1500 x 1500 x d64 (ort: unfused graph)'),
  attentionCase('attn-decode', 8, 1, 448, 64, 'decode 8 heads x 1 query vs 448 cached x d64'),
  convCase('conv3x3_320_64x64', 320, 320, 64, 64, 3),
];
const sel = values.cases ? values.cases.split(',') : [];
const want = (c) => !sel.length || sel.includes(c.name) || sel.includes(c.group);

async function timeInterleaved(runners, rounds) {
  const times = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [k, r] of Object.entries(runners)) {
      if (i >= r.rounds) continue;
      if (settle > 0) await new Promise((res) => setTimeout(res, settle));
      // quick models run in bursts, back to back as a decoder's tokens or a sampler's steps do
      for (let j = 0; j < r.burst; j++) {
        const t0 = performance.now();
        await r.run();
        times[k].push(performance.now() - t0);
      }
    }
  }
  const out = {};
  for (const [k, t] of Object.entries(times)) {
    t.sort((a, b) => a - b);
    out[k] = { best: t[0], median: t[Math.floor(t.length / 2)], runs: t.length, rssDeltaMB: runners[k].rssDeltaMB };
  }
  return out;
}

async function probePeak(into) {
  if (!addon) return into;
  for (let i = 0; i < 3; i++) {
    const r = await addon.fmaPeak({ seconds: 0.25 });
    if (!into || r.total > into.total) into = r;
  }
  return into;
}

/** Copies of a run's float32 outputs (the arena may reuse their storage on the next run). */
const floatOutputs = (out) => Object.fromEntries(Object.entries(out).filter(([, t]) => t.type === 'float32').map(([k, t]) => [k, Float32Array.from(t.data)]));

/** Largest |got - ref| over every output, relative to the largest |ref| (the accuracy cost of bf16 weights). */
function relErr(got, ref) {
  let diff = 0, scale = 0;
  for (const [k, r] of Object.entries(ref)) {
    const g = got[k];
    for (let i = 0; i < r.length; i++) {
      diff = Math.max(diff, Math.abs(g[i] - r[i]));
      scale = Math.max(scale, Math.abs(r[i]));
    }
  }
  return scale > 0 ? diff / scale : diff;
}

const toOrt = (feeds) => Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type === 'bool' ? 'bool' : t.type, t.type === 'bool' ? Array.from(t.data, Boolean) : t.data, t.dims)]));

/**
 * One runner per backend. Each session is created and warmed up (see below) before the next
 * backend's, and the process RSS growth over that is its memory figure. A case whose warm runs take
 * under 20 ms on any backend is "quick": every backend (cpu aside) then gets at least 12 rounds, each
 * a burst of 5 back-to-back runs, so native and onnxruntime are always timed the same way.
 */
async function runners(c, rounds) {
  const r = {};
  const bks = ['native', ...(values['skip-bf16'] ? [] : ['bf16']), 'ort', ...(values.cpu ? ['cpu'] : [])];
  for (const b of bks) {
    if ((b === 'native' || b === 'bf16') && !status.available) continue;
    global.gc?.();
    const rss0 = process.memoryUsage.rss();
    const src = c.bytes ?? c.path;
    let run;
    if (b === 'ort') {
      let s;
      try {
        s = await ort.InferenceSession.create(src, { intraOpNumThreads: threads, interOpNumThreads: 1 });
      } catch (e) {
        console.error(`${c.name}: onnxruntime cannot run it: ${e.message.split('\n')[0]}`);
        continue;
      }
      const feeds = toOrt(c.feeds);
      run = () => s.run(feeds);
    } else {
      const s = await InferenceSession.create(src, b === 'bf16' ? { backend: 'native', precision: 'bf16' } : { backend: b });
      run = () => s.run(c.feeds);
    }
    let rss = process.memoryUsage.rss();
    // Warm-up: at least two runs, and for native / ort until --warm-ms has passed (at most 500 runs) so
    // that V8 has optimized the executor and kernel code, as it has in a pipeline that runs a model per
    // step or token; onnxruntime has no JIT but gets the same treatment.
    const w0 = performance.now();
    let last = 0;
    let first;
    for (let i = 0; i < 2 || (b !== 'cpu' && performance.now() - w0 < warmMs && i < 500); i++) {
      const t = performance.now();
      const out = await run();
      last = performance.now() - t;
      rss = Math.max(rss, process.memoryUsage.rss());
      if (i === 0 && (b === 'native' || b === 'bf16')) first = floatOutputs(out);
    }
    r[b] = { run, last, rssDeltaMB: (rss - rss0) / 2 ** 20, first };
  }
  if (r.native?.first && r.bf16?.first) r.bf16.relErr = relErr(r.bf16.first, r.native.first);
  for (const x of Object.values(r)) delete x.first;
  // quick cases get more timed rounds, in bursts of 5 (their run-to-run spread is wider), on every backend alike
  const quick = Object.entries(r).some(([b, x]) => b !== 'cpu' && x.last < 20);
  for (const [b, x] of Object.entries(r)) {
    x.rounds = b === 'cpu' ? Math.min(rounds, 2) : quick ? Math.max(rounds, 12) : rounds;
    x.burst = b !== 'cpu' && quick ? 5 : 1;
  }
  return r;
}

let peak = await probePeak(undefined);
const rows = [];
const cases = micro.filter(want);
cases.push(...(await modelCases()));
for (const c of cases) {
  if (c.path && !c.feeds) {
    c.feeds = makeFeeds(lib, feedSpecs(lib, c.path, c.dims, c.fix));
  }
  const n = c.group === 'models' ? Math.max(2, Math.ceil(runs / 2)) : c.flops < 1e8 ? runs * 20 : runs;
  const rs = await runners(c, c.heavy ? 2 : n);
  const t = await timeInterleaved(rs, Math.max(0, ...Object.values(rs).map((x) => x.rounds)));
  const row = { case: c.name, group: c.group, shape: c.shape, gflop: c.flops ? c.flops / 1e9 : undefined };
  for (const [b, x] of Object.entries(t)) {
    row[b] = { bestMs: x.best, medianMs: x.median, runs: x.runs, rssDeltaMB: x.rssDeltaMB, gflops: c.flops ? c.flops / 1e9 / (x.best / 1e3) : undefined, relErr: rs[b].relErr };
    console.error(`${c.name} ${b}: best ${x.best.toFixed(2)} ms, median ${x.median.toFixed(2)} ms${c.flops ? `, ${row[b].gflops.toFixed(1)} GFLOP/s` : ''}, RSS +${x.rssDeltaMB.toFixed(0)} MB` +
      (rs[b].relErr !== undefined ? `, rel err vs fp32 ${rs[b].relErr.toExponential(1)}` : ''));
  }
  rows.push(row);
  delete c.feeds;
}
peak = await probePeak(peak);

const f = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
const lines = [];
lines.push(`native: ${status.available ? `${status.info.isa} ${status.info.mr}x${status.info.nr} microkernel, ${status.info.threads} threads` : `unavailable (${status.reason})`}; ` +
  `CPU: ${cpus()[0]?.model ?? '?'} x${availableParallelism()}; measured FMA peak (${peak?.isa ?? '-'}, all threads): ${f(peak?.total)} GFLOP/s; ` +
  `onnxruntime-node ${ort.env.versions?.common ?? ''} with ${threads} intra-op threads`);
lines.push('');
const bf = !values['skip-bf16'];
lines.push('| case | shape | native GFLOP/s | % peak | ort GFLOP/s | native ms | ort ms | native / ort speed | native RSS +MB | ort RSS +MB |' +
  (bf ? ' bf16 ms | bf16 / ort speed | bf16 rel err |' : '') + (values.cpu ? ' cpu ms |' : ''));
lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|' + (bf ? '---:|---:|---:|' : '') + (values.cpu ? '---:|' : ''));
const e = (x) => (x === undefined ? '-' : x.toExponential(1));
for (const r of rows) {
  const n = r.native, o = r.ort, h = r.bf16;
  lines.push(`| ${r.case} | ${r.shape} | ${f(n?.gflops)} | ${peak && n?.gflops ? f((100 * n.gflops) / peak.total, 0) : '-'} | ${f(o?.gflops)} | ${f(n?.bestMs, 2)} | ${f(o?.bestMs, 2)} | ` +
    `${n && o ? f(o.bestMs / n.bestMs, 2) : '-'} | ${f(n?.rssDeltaMB, 0)} | ${f(o?.rssDeltaMB, 0)} |` +
    (bf ? ` ${f(h?.bestMs, 2)} | ${h && o ? f(o.bestMs / h.bestMs, 2) : '-'} | ${e(h?.relErr)} |` : '') + (values.cpu ? ` ${f(r.cpu?.bestMs, 1)} |` : ''));
}
lines.push('');
lines.push('(best of the timed runs; "native / ort speed" > 1 means native is faster; bf16: the native backend with precision \'bf16\' (MatMul / Gemm weights in bf16, fp32 compute), "bf16 rel err" its largest output difference from native fp32 relative to the largest |output|; RSS +MB: growth of the process RSS over creating the session and two warm-up runs, measured before the next backend session is created — indicative only: memory freed by an earlier case may be reused; conv GFLOP/s count a direct convolution\'s multiply-adds: native runs 3x3 stride-1 convolutions as Winograd F(2x2, 3x3), 2.25x fewer, so its rate can pass the FMA peak.)');
console.log(lines.join('\n'));
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), native: status, peak, threads, rows, table: lines.join('\n') }, null, 1));
console.error(`wrote ${values.out}`);
