// Automatic check of generated shapes images against their prompts.
//
//   node training/shapes/evaluate.mjs --model-dir models/shapes-sd [--steps 20] [--seed 42]
//        [--guidance 7.5] [--scheduler ''|pndm|ddim|euler|...] [--save DIR] [--limit N] [--backend cpu|native|ort]
//        [--build DIR]   (an onnxflow build: default $ONNXFLOW_BUILD, else .build/h4)
//        [--prompts FILE]   (default heldout.json; trainseen.json = 30 training combos with training wordings)
//     runs pipelines/stable-diffusion.yaml (unchanged) on every held-out prompt of heldout.json and scores it
//   node training/shapes/evaluate.mjs --images DIR
//     scores DIR/000.png, 001.png, ... (one per heldout.json prompt, e.g. data.py's ground-truth renders)
//
// The check, per 64x64 RGB image:
//   background = nearest named colour (data.py's palette) to the median of the 2-pixel border ring;
//   foreground mask = pixels farther than 80 (RGB Euclidean) from that background's palette colour;
//   foreground = nearest named colour to the median of the mask pixels (none if < 30 pixels);
//   shape mask = pixels nearer the foreground's palette colour than the background's, keeping those
//   with >= 2 of 4 neighbours in the mask (drops isolated noise pixels); shape = from the mask's fill
//   ratio of its bounding box: >= 0.89 square, >= 0.63 circle, else triangle (ideal: square 1,
//   circle pi/4 = 0.785, triangle 0.5).
// A prompt is correct when all three match; accuracies are reported per attribute and by split kind
// (combo: held-out combination, training wording; wording: training combination, held-out wording;
// both).

import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

export const PALETTE = {
  red: [230, 25, 25], green: [30, 170, 40], blue: [30, 60, 220], yellow: [245, 220, 30],
  orange: [245, 135, 20], purple: [140, 40, 180], white: [245, 245, 245], black: [15, 15, 15],
};

const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const nearest = (c) => Object.entries(PALETTE).reduce((best, [n, p]) => (dist(c, p) < best[1] ? [n, dist(c, p)] : best), ['', Infinity])[0];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : 0; };
const medianColour = (px) => [0, 1, 2].map((k) => median(px.map((p) => p[k])));

export function classify(img) {
  const { width: W, height: H, data } = img;
  const at = (x, y) => { const i = (y * W + x) * 3; return [data[i], data[i + 1], data[i + 2]]; };
  const border = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (x < 2 || y < 2 || x >= W - 2 || y >= H - 2) border.push(at(x, y));
  const bg = nearest(medianColour(border));
  const bgc = PALETTE[bg];
  const fgPx = [], xs = [], ys = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const c = at(x, y);
    if (dist(c, bgc) > 80) { fgPx.push(c); xs.push(x); ys.push(y); }
  }
  if (fgPx.length < 30) return { bg, fg: 'none', shape: 'none', fill: 0, pixels: fgPx.length };
  const fg = nearest(medianColour(fgPx));
  // final mask: pixels closer to the foreground's palette colour than to the background's, keeping
  // only those with >= 2 of their 4 neighbours in the mask (drops isolated noise pixels)
  const fgc = PALETTE[fg];
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = dist(at(x, y), fgc) < dist(at(x, y), bgc) ? 1 : 0;
  let x0 = W, x1 = -1, y0 = H, y1 = -1, count = 0;
  for (let y = 1; y < H - 1; y++) for (let x = 1; x < W - 1; x++) {
    if (!m[y * W + x] || m[y * W + x - 1] + m[y * W + x + 1] + m[(y - 1) * W + x] + m[(y + 1) * W + x] < 2) continue;
    count++; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const fill = count ? count / ((x1 - x0 + 1) * (y1 - y0 + 1)) : 0;
  const shape = fill >= 0.89 ? 'square' : fill >= 0.63 ? 'circle' : 'triangle';
  return { bg, fg, shape, fill: Number(fill.toFixed(3)), pixels: count };
}

function args() {
  const a = { steps: 20, seed: 42, guidance: 7.5, scheduler: '', build: process.env.ONNXFLOW_BUILD ?? '.build/h4', limit: Infinity, backend: '' };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase())] = v[i + 1];
  return a;
}

async function main() {
  const a = args();
  const lib = await import(pathToFileURL(resolve(ROOT, a.build, 'index.js')).href);
  const held = JSON.parse(readFileSync(a.prompts ? resolve(a.prompts) : join(HERE, 'heldout.json'), 'utf8')).slice(0, Number(a.limit));
  let pipeline;
  if (a.modelDir) pipeline = await lib.loadPipeline(join(ROOT, 'pipelines', 'stable-diffusion.yaml'), { modelDir: resolve(a.modelDir) });
  if (a.save) mkdirSync(a.save, { recursive: true });
  const tally = {}; const add = (k, ok) => { tally[k] ??= [0, 0]; tally[k][0] += ok ? 1 : 0; tally[k][1]++; };
  const t0 = Date.now();
  for (let i = 0; i < held.length; i++) {
    const { prompt, shape, fg, bg, kind } = held[i];
    const name = String(i).padStart(3, '0') + '.png';
    let img;
    if (pipeline) {
      const out = await pipeline.run({ prompt, steps: Number(a.steps), seed: Number(a.seed), guidanceScale: Number(a.guidance), scheduler: a.scheduler }, a.backend ? { backend: a.backend } : {});
      img = out.images[0];
      if (a.save) await lib.writePng(join(a.save, name), img);
    } else img = await lib.readImage(join(a.images, name));
    const r = classify(img);
    const ok = { bg: r.bg === bg, fg: r.fg === fg, shape: r.shape === shape };
    const all = ok.bg && ok.fg && ok.shape;
    add('background', ok.bg); add('foreground', ok.fg); add('shape', ok.shape); add('all', all); add(`all/${kind}`, all);
    console.log(`${name} ${all ? 'OK  ' : 'MISS'} "${prompt}" -> ${r.fg} ${r.shape} on ${r.bg} (fill ${r.fill})`);
  }
  console.log(`\n${held.length} prompts in ${((Date.now() - t0) / 1000).toFixed(1)}s${a.backend ? ` (backend ${a.backend})` : ''}`);
  for (const [k, [n, d]] of Object.entries(tally)) console.log(`${k.padEnd(14)} ${(100 * n / d).toFixed(1)}%  (${n}/${d})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
