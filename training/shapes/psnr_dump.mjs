// onnxflow side of the onnxflow-vs-PyTorch comparison (torch side: psnr_torch.py). For each prompt, runs
// pipelines/stable-diffusion.yaml (unchanged, defaults: DDIM from the export, 20 steps, guidance 7.5, seed)
// on --backend and saves the PNG, and dumps what the pipeline fed the models: token ids of the prompt
// and of the empty negative prompt (the pipeline's CLIP tokenizer), the seeded initial latents (the
// same generator diffusion.latents uses), the scheduler's timesteps, scaling_factor.
//   node training/shapes/psnr_dump.mjs [--model-dir models/shapes-sd] [--build .build/h4]
//        [--backend cpu] [--seed 42] [--out training/shapes/out/psnr]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const dir = resolve(opt('--model-dir', join(ROOT, 'models', 'shapes-sd')));
const build = resolve(ROOT, opt('--build', process.env.ONNXFLOW_BUILD ?? '.build/h4'));
const backend = opt('--backend', 'cpu');
const seed = Number(opt('--seed', '42'));
const out = resolve(opt('--out', join(HERE, 'out', 'psnr')));
const lib = await import(pathToFileURL(join(build, 'index.js')).href);
const prompts = [
  'a red circle on a blue background', 'a blue circle on a white background', 'red background, yellow circle',
  'an image of a green triangle over a black background', 'a purple square on a orange background',
];
mkdirSync(out, { recursive: true });
const tok = await lib.ClipTokenizer.fromFolder(join(dir, 'tokenizer'));
const enc = (t) => tok.encode(t, { maxLength: 77, padding: 'max_length', truncation: true }).inputIds.map(Number);
const sched = lib.createScheduler(JSON.parse(readFileSync(join(dir, 'scheduler', 'scheduler_config.json'), 'utf8')));
sched.setTimesteps(20);
const pipeline = await lib.loadPipeline(join(ROOT, 'pipelines', 'stable-diffusion.yaml'), { modelDir: dir });
const items = [];
for (const [i, prompt] of prompts.entries()) {
  const latents = Array.from(lib.createGenerator(seed).randn(4 * 8 * 8));
  const r = await pipeline.run({ prompt, seed }, { backend });
  const png = join(out, `${backend}-${i}.png`);
  await lib.writePng(png, r.images[0]);
  items.push({ prompt, ids: enc(prompt), neg_ids: enc(''), latents, png });
}
writeFileSync(join(out, `${backend}.json`), JSON.stringify({ backend, seed, timesteps: sched.timesteps, items }));
console.log(`wrote ${items.length} images and ${join(out, backend + '.json')}`);
