// The README's sample strip: five prompts through the unchanged default pipeline (seed 42, defaults),
// each image scaled 2x (nearest), 8 px white gaps; prints the evaluator's reading of each.
//   node training/shapes/samples_strip.mjs [--build .build/h4] [--model-dir models/shapes-sd]
//        [--backend cpu] [--out docs/images/shapes-samples.png]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { classify } from './evaluate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const build = resolve(ROOT, opt('--build', process.env.ONNXFLOW_BUILD ?? '.build/h4'));
const modelDir = resolve(ROOT, opt('--model-dir', 'models/shapes-sd'));
const out = resolve(ROOT, opt('--out', 'docs/images/shapes-samples.png'));
const lib = await import(pathToFileURL(join(build, 'index.js')).href);

export const PROMPTS = [
  'a red circle on a blue background', 'green square on a red background', 'a green triangle on a yellow background',
  'an image of a white circle over a red background', 'a red background with a purple square',
];
const S = 2, GAP = 8, W = 64 * S;
const pipeline = await lib.loadPipeline(join(ROOT, 'pipelines', 'stable-diffusion.yaml'), { modelDir });
const strip = { width: PROMPTS.length * W + (PROMPTS.length - 1) * GAP, height: W, channels: 3, data: null };
strip.data = new Uint8Array(strip.width * strip.height * 3).fill(255);
for (const [i, prompt] of PROMPTS.entries()) {
  const { images } = await pipeline.run({ prompt, seed: 42 }, { backend: opt('--backend', 'cpu') });
  const img = images[0];
  const c = classify(img);
  console.log(`${prompt}: ${c.fg} ${c.shape} on ${c.bg} (fill ${c.fill.toFixed(3)})`);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const s = ((y >> 1) * 64 + (x >> 1)) * 3, d = (y * strip.width + i * (W + GAP) + x) * 3;
      strip.data.set(img.data.subarray(s, s + 3), d);
    }
  }
}
await lib.writePng(out, strip);
console.log(`wrote ${out}`);
