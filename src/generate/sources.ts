// The pipelines' model sources: `modelDir: builtin:NAME`.
//   shapes-sd, speech-whisper: small models trained on synthetic data (training/), shipped in models/
//   sd-tiny, sd-base, whisper-tiny, whisper-base: random weights, generated on first use (tests, benchmarks)
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerModelSource } from '../pipeline/model-sources.js';
import { ensureStableDiffusion } from './sd/index.js';
import { ensureWhisper } from './whisper/index.js';

/** A model folder shipped with the package: models/NAME in the nearest folder above this file that has it. */
export function packagedModelDir(name: string): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let d = start; ; d = dirname(d)) {
    const dir = join(d, 'models', name);
    if (existsSync(join(dir, 'model_index.json')) || existsSync(join(dir, 'config.json'))) return dir;
    if (dirname(d) === d) break;
  }
  throw new Error(`the packaged model folder models/${name} was not found above ${start} (builtin:${name} ships in the package's models/ folder)`);
}

registerModelSource('shapes-sd', 'Stable Diffusion trained on synthetic shapes ("a red circle on a blue background"), 64×64, optimum layout (training/shapes)', async () => packagedModelDir('shapes-sd'));
registerModelSource('speech-whisper', 'Whisper trained on synthetic espeak-ng speech (English digits and 20 words, 4 s window), optimum layout with split and merged decoders (training/speech)', async () => packagedModelDir('speech-whisper'));
registerModelSource('sd-tiny', 'tiny Stable Diffusion 1.x (random weights, real architecture, optimum layout)', async () => ensureStableDiffusion('tiny'));
registerModelSource('sd-base', 'Stable Diffusion with SD 1.5 channel widths and fewer blocks (random weights), for benchmarks', async () => ensureStableDiffusion('base'));
registerModelSource('whisper-tiny', 'tiny Whisper (random weights, real architecture, optimum layout with split and merged decoders)', async () => ensureWhisper('tiny'));
registerModelSource('whisper-base', 'Whisper with whisper-base widths (random weights), for benchmarks', async () => ensureWhisper('base'));
