// The trained default models (issue 9) through the unchanged default pipelines, no Python: the
// shapes SD model draws what a few prompts ask for (training/shapes/evaluate.mjs's documented image
// check) on every backend, and matches PyTorch's output for the same inputs (PSNR ≥ 35 dB).
// Full held-out metrics: training/README.md.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { psnr } from '../helpers/image.js';
import { readImage, runPipeline, type RgbImage } from '../../src/index.js';
import { nativeStatus } from '../../src/backends/native/index.js';
// @ts-expect-error plain JS module without types
import { classify } from '../../training/shapes/evaluate.mjs';

const SD = 'pipelines/stable-diffusion.yaml';

async function draw(prompt: string, backend: string): Promise<RgbImage> {
  const { images } = await runPipeline(SD, prompt, { seed: 42, backend });
  const img = (images as RgbImage[])[0]!;
  expect([img.width, img.height]).toEqual([64, 64]);
  return img;
}

describe('trained Stable Diffusion on shapes (models/shapes-sd, the default)', () => {
  it.each([
    ['green square on a red background', { shape: 'square', fg: 'green', bg: 'red' }],
    ['a green triangle on a yellow background', { shape: 'triangle', fg: 'green', bg: 'yellow' }],
    ['an image of a white circle over a red background', { shape: 'circle', fg: 'white', bg: 'red' }],
  ])('draws "%s" (cpu)', async (prompt, want) => {
    const got = classify(await draw(prompt, 'cpu'));
    expect({ shape: got.shape, fg: got.fg, bg: got.bg }).toEqual(want);
  });

  it.each([
    ['a red circle on a blue background', 'torch-0.png'],
    ['an image of a green triangle over a black background', 'torch-3.png'],
  ])('"%s" matches PyTorch on the same inputs (PSNR ≥ 35 dB)', async (prompt, file) => {
    const torch = await readImage(`test/fixtures/shapes-sd/${file}`);
    expect(psnr(await draw(prompt, 'cpu'), torch)).toBeGreaterThanOrEqual(35);
  });

  it.each(['native', 'ort'])('gives the same picture on %s', async (backend) => {
    if (backend === 'native' && !nativeStatus().available) {
      console.warn('native addon unavailable: skipping the native run');
      return;
    }
    const prompt = 'a blue square on a white background';
    const [cpu, other] = [await draw(prompt, 'cpu'), await draw(prompt, backend)];
    expect(psnr(cpu, other)).toBeGreaterThanOrEqual(35);
    const got = classify(other);
    expect({ shape: got.shape, fg: got.fg, bg: got.bg }).toEqual({ shape: 'square', fg: 'blue', bg: 'white' });
  });
});

// The trained Whisper default (models/speech-whisper): held-out espeak-ng utterances (voices/speeds not
// used in training), transcribed exactly as PyTorch's greedy decode of the same model does, on every backend.
const SPEECH = 'test/fixtures/speech-whisper';
interface SpeechSample { file: string; text: string; torch_greedy: string; group: string }
const speech = existsSync(join(SPEECH, 'samples.json'))
  ? (JSON.parse(readFileSync(join(SPEECH, 'samples.json'), 'utf8')) as { samples: SpeechSample[] }).samples
  : [];

describe('trained Whisper on synthetic speech (models/speech-whisper, the default)', () => {
  it('the committed samples are mostly transcribed right by PyTorch (fixture sanity)', () => {
    expect(speech.length).toBeGreaterThanOrEqual(4);
    expect(speech.filter((s) => s.torch_greedy === s.text).length).toBeGreaterThanOrEqual(3);
  });

  it.each(['cpu', 'native', 'ort'])('transcribes held-out utterances as PyTorch does (%s)', async (backend) => {
    if (backend === 'native' && !nativeStatus().available) {
      console.warn('native addon unavailable: skipping the native run');
      return;
    }
    for (const s of speech) {
      const { text } = await runPipeline('pipelines/whisper.yaml', join(SPEECH, s.file), { backend, language: 'en' });
      expect(text, s.file).toBe(s.torch_greedy);
    }
  });
});
