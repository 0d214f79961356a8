// Stable Diffusion end to end on the tiny generated model (random weights, `builtin:sd-tiny`):
// text-to-image, img2img, guidance wiring, shapes seen by hooks, schedulers, determinism and agreement
// with onnxruntime-node. The trained default model's output is checked in trained-models.test.ts.
import { describe, expect, it } from 'vitest';
import { psnr } from '../helpers/image.js';
import {
  Tensor, encodePng, loadPipeline, runPipeline, type RgbImage, type StageEvent, type StageAfterEvent,
} from '../../src/index.js';

const SD = 'pipelines/stable-diffusion.yaml';
const IMG2IMG = 'pipelines/stable-diffusion-img2img.yaml';
const prompt = 'a red circle on a blue background';
const TINY = { modelDir: 'builtin:sd-tiny' };

const images = (out: Record<string, unknown>) => out.images as RgbImage[];

describe('Stable Diffusion (tiny model)', () => {
  it('turns a prompt into a 64x64 image, byte-identical for the same seed', async () => {
    const a = images(await runPipeline(SD, prompt, { ...TINY, steps: 4, seed: 7 }));
    const b = images(await runPipeline(SD, prompt, { ...TINY, steps: 4, seed: 7 }));
    const c = images(await runPipeline(SD, prompt, { ...TINY, steps: 4, seed: 8 }));
    expect(a).toHaveLength(1);
    expect([a[0]!.width, a[0]!.height, a[0]!.channels]).toEqual([64, 64, 3]);
    expect(Buffer.from(await encodePng(a[0]!)).equals(Buffer.from(await encodePng(b[0]!)))).toBe(true);
    expect(psnr(a[0]!, c[0]!)).toBeLessThan(30);
  });

  it('calls each model with the shapes diffusers uses (hooks)', async () => {
    const p = await loadPipeline(SD, TINY);
    const calls = new Map<string, StageEvent>();
    let unetCalls = 0;
    p.hooks.on('stage:before', (e) => {
      calls.set(e.stage, e);
      if (e.stage === 'denoise/unet') unetCalls++;
    });
    await p.run(prompt, { steps: 3, numImages: 2, width: 72, height: 48 });
    const shape = (stage: string, input: string) => calls.get(stage)!.inputs.find((i) => i.name === input);
    expect(shape('encode', 'input_ids')).toMatchObject({ dtype: 'int64', shape: [2, 77] });
    expect(shape('denoise/unet', 'sample')).toMatchObject({ dtype: 'float32', shape: [4, 4, 6, 9] });
    expect(shape('denoise/unet', 'encoder_hidden_states')).toMatchObject({ dtype: 'float32', shape: [4, 77, 32] });
    expect(shape('denoise/unet', 'timestep')).toMatchObject({ dtype: 'float32', shape: [] }); // as the model input is declared
    expect(shape('decode', 'latent_sample')).toMatchObject({ shape: [2, 4, 6, 9] });
    expect(unetCalls).toBe(4); // PNDM (PLMS) runs 3 steps as 4 model calls, like diffusers
  });

  it('mixes unconditional and conditional predictions with the guidance scale', async () => {
    const p = await loadPipeline(SD, TINY);
    // Replace the UNet: uncond half predicts 1, cond half predicts 3.
    p.intercept('denoise/unet', (inputs) => {
      const s = inputs.sample as Tensor;
      const half = s.size / 2;
      return { out_sample: new Tensor('float32', Float32Array.from({ length: s.size }, (_, i) => (i < half ? 1 : 3)), s.dims) };
    });
    const guided: StageAfterEvent[] = [];
    const values: number[] = [];
    p.hooks.on('stage:after', (e) => { if (e.stage === 'denoise/guide') guided.push(e); });
    p.intercept('denoise/guide', async (inputs, next) => {
      const out = await next(inputs);
      values.push(((out.noise_pred as Tensor).data as Float32Array)[0]!);
      return out;
    });
    await p.run(prompt, { steps: 2, guidanceScale: 5 });
    expect(values.every((v) => v === 1 + 5 * (3 - 1))).toBe(true);
    expect(guided[0]!.outputs[0]!.shape).toEqual([1, 4, 8, 8]);
  });

  it('runs every scheduler to a finite image', async () => {
    for (const scheduler of ['pndm', 'ddim', 'euler', 'euler_a', 'lms', 'dpm++']) {
      const [img] = images(await runPipeline(SD, prompt, { ...TINY, steps: 3, scheduler }));
      expect(img!.data.length, scheduler).toBe(64 * 64 * 3);
      expect(new Set(img!.data).size, scheduler).toBeGreaterThan(10);
    }
  });

  it('img2img: starts from the init image, runs strength × steps, and changes with strength', async () => {
    const [init] = images(await runPipeline(SD, prompt, { ...TINY, steps: 2, seed: 1 }));
    const p = await loadPipeline(IMG2IMG, TINY);
    let unet = 0;
    p.hooks.on('stage:before', (e) => { if (e.stage === 'denoise/unet') unet++; });
    const weak = images(await p.run({ prompt, image: init }, { steps: 10, strength: 0.3, scheduler: 'ddim' }))[0]!;
    expect(unet).toBe(3);
    const strong = images(await p.run({ prompt, image: init }, { steps: 10, strength: 0.9, scheduler: 'ddim' }))[0]!;
    expect([weak.width, weak.height]).toEqual([64, 64]);
    expect(psnr(weak, init!)).toBeGreaterThan(psnr(strong, init!));
  });

  it('gives the same image on the cpu and ort backends (PSNR ≥ 40 dB)', async () => {
    const [cpu] = images(await runPipeline(SD, prompt, { ...TINY, steps: 5, seed: 3, backend: 'cpu' }));
    const [ort] = images(await runPipeline(SD, prompt, { ...TINY, steps: 5, seed: 3, backend: 'ort' }));
    expect(psnr(cpu!, ort!)).toBeGreaterThanOrEqual(40);
  });

  it('rejects sizes that are not multiples of 8, as diffusers does', async () => {
    await expect(runPipeline(SD, prompt, { ...TINY, steps: 1, width: 60 })).rejects.toThrow(/height and width have to be divisible by 8 but are 64 and 60/);
  });
});
