// Print the shapes every Stable Diffusion stage is called with, and time the denoising steps,
// without touching the pipeline. Run: node examples/stable-diffusion-hooks.mjs
// (uses the default trained shapes model; add { modelDir: 'path/to/optimum-export' } to loadPipeline for a real one)
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline, writePng } from 'onnxflow';

const pipeline = await loadPipeline(fileURLToPath(new URL('../pipelines/stable-diffusion.yaml', import.meta.url)));
const seen = new Set();
const fmt = (p) => `${p.name}: ${p.dtype}[${p.shape.join(',')}]`;
pipeline.hooks.on('stage:before', (e) => {
  if (seen.has(e.stage)) return; // loop stages run every step: show the first call
  seen.add(e.stage);
  console.log(`${e.stage.padEnd(20)} ${e.kind.padEnd(9)} ${e.inputs.map(fmt).join(', ')}`);
});
let steps = 0;
let unetMs = 0;
pipeline.hooks.on('stage:after', (e) => { if (e.stage === 'denoise/unet') unetMs += e.ms; });
pipeline.hooks.on('step', () => steps++);

const { images } = await pipeline.run('a red circle on a blue background', { steps: 20, seed: 42, numImages: 1 });
console.log(`\n${steps} denoising steps, UNet ${(unetMs / steps).toFixed(1)} ms per step`);
const out = join(tmpdir(), 'sd-hooks.png');
await writePng(out, images[0]);
console.log(`wrote ${out} (${images[0].width}x${images[0].height})`);
