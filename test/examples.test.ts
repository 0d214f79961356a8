// Every example runs as written (against the built package).
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (file: string) => execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 120_000 });

describe('examples', () => {
  it('build-and-run.mjs builds, checks, saves, loads, runs and edits a model', () => {
    const out = run('examples/build-and-run.mjs');
    expect(out).toContain('y = x * w + b: [ 2, 3 ] [ 11, 22, 33, 12, 24, 36 ]');
    expect(out).toContain('y = x * w - b: [ 2, 3 ] [ -9, -18, -27, -8, -16, -24 ]');
  });

  it('custom-pipeline.mjs declares, inspects and runs a pipeline with a custom component and a loop', () => {
    const out = run('examples/custom-pipeline.mjs');
    expect(out).toContain('smooth [loop: count]');
    expect(out).toContain('label: blue');
    expect(out).toContain('probs: 0.2119, 0.2119, 0.5761');
  });

  it('stable-diffusion-hooks.mjs prints the shapes each SD stage is called with', () => {
    const out = run('examples/stable-diffusion-hooks.mjs');
    expect(out).toMatch(/denoise\/unet\s+onnx\s+sample: float32\[2,4,8,8\], timestep: \w+\[\], encoder_hidden_states: float32\[2,77,64\]/);
    expect(out).toMatch(/encode\s+onnx\s+input_ids: int64\[1,77\]/);
    expect(out).toMatch(/20 denoising steps, UNet [\d.]+ ms per step/);
  });

  it('hooks.mjs prints the shapes each stage is called with, and intercepts a stage', () => {
    const out = run('examples/hooks.mjs');
    expect(out).toContain('→ encode called with tokens: float32[2,5,4] ← inputs.tokens');
    expect(out).toContain('→ accumulate/step (step 2) called with hidden: float32[2,5,8] ← encode.hidden, state: float32[2,8] ← accumulate.acc');
    expect(out).toContain('acc[0..3]: [ 3, 3, 3, 3 ]');
    expect(out).toContain('acc[0..3] with the encoder intercepted: [ 6, 6, 6, 6 ]');
  });

  it('whisper-transcribe.mjs synthesizes speech with espeak-ng and transcribes it (skips without espeak-ng)', () => {
    const out = run('examples/whisper-transcribe.mjs');
    const espeak = spawnSync('espeak-ng', ['--version']);
    if (espeak.error || espeak.status !== 0) {
      console.warn('espeak-ng is not installed: the Whisper example only checks that it skips (apt-get install -y espeak-ng)');
      expect(out).toContain('espeak-ng is not installed');
      return;
    }
    expect(out).toMatch(/espeak-ng said: .* → .*speech\.wav/);
    expect(out).toMatch(/^text: /m);
    expect(out).toMatch(/^chunks:\n {2}\[\d+\.\d\d → /m);
    expect(out).toMatch(/^ {2}chunks\/encode +1 /m);
    expect(out).toMatch(/^ {2}chunks\/tokens\/decoder +\d+ /m);
  }, 120_000);
});
