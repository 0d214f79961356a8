// Whisper end to end on the tiny generated model (random weights: the text is gibberish, so these
// tests check mechanics): KV-cache decoding against decoding without a cache, merged vs split
// decoders, beam search, sampling determinism, language detection, timestamps, WAV variants and
// long-audio chunking. The encoder (the slow part on the TypeScript backend) is memoized per input
// through an interceptor, so each distinct audio window is encoded once.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import wavefilePkg from 'wavefile';
import { parse } from 'yaml';
import { Tensor, loadPipeline, type Pipeline } from '../../src/index.js';
import { ensureWhisper } from '../../src/generate/whisper/index.js';
import { WhisperTokenizer } from '../../src/components/tokenizers/whisper.js';

const { WaveFile } = wavefilePkg;
const MERGED = 'pipelines/whisper.yaml';
const SPLIT = 'pipelines/whisper-split.yaml';
const NOCACHE = 'pipelines/whisper-nocache.yaml';
const SR = 16000;

/** A voice-like test signal: a gliding harmonic tone with a syllable-rate envelope. */
function signal(seconds: number, rate = SR, f0 = 140): Float32Array {
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (f0 + 40 * Math.sin(2 * Math.PI * 0.7 * t))) / rate;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    x[i] = 0.25 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
  }
  return x;
}

/** The random-weight tiny model the fixtures were made with (the pipelines default to the trained one). */
const TINY = { modelDir: 'builtin:whisper-tiny' };

const encoderMemo = new Map<string, Promise<Record<string, unknown>>>();

/** Compile a pipeline (optionally edited) and memoize its encoder per input window. */
async function load(file: string, edit?: (spec: Record<string, any>) => void): Promise<Pipeline> {
  let p: Pipeline;
  if (edit) {
    const spec = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    edit(spec);
    p = await loadPipeline(spec, TINY);
  } else p = await loadPipeline(file, TINY);
  p.intercept('encode', (inputs, next) => {
    const f = inputs.input_features as Tensor;
    const d = f.data as Float32Array;
    const key = createHash('sha1').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
    let out = encoderMemo.get(key);
    if (!out) encoderMemo.set(key, (out = next(inputs)));
    return out;
  });
  return p;
}

interface Capture {
  tokens: number[][];
  /** Last-position logits of every decode step (row 0). */
  logits: Float32Array[];
  language: string[];
  prefixes: number[][];
  detectSteps: number;
}

function capture(p: Pipeline): Capture {
  const c: Capture = { tokens: [], logits: [], language: [], prefixes: [], detectSteps: 0 };
  p.intercept('chunks/tokens/decoder', async (inputs, next) => {
    const out = await next(inputs);
    const l = out.logits as Tensor;
    const [, seq, V] = l.dims as [number, number, number];
    c.logits.push((l.data as Float32Array).slice((seq - 1) * V, seq * V));
    return out;
  });
  p.intercept('result', async (inputs, next) => {
    const out = await next(inputs);
    c.tokens.push(out.tokens as number[]);
    return out;
  });
  p.intercept('prompt', async (inputs, next) => {
    const out = await next(inputs);
    c.language.push(out.language as string);
    c.prefixes.push(out.prefix as number[]);
    return out;
  });
  p.hooks.on('step', (e) => { if (e.loop === 'chunks/detect') c.detectSteps++; });
  return c;
}

const audio = signal(2.5);
const tokenizer = await WhisperTokenizer.fromFolder(ensureWhisper('tiny'));

describe('Whisper pipeline (tiny model)', () => {
  it('KV-cache decoding gives the tokens and logits of decoding without a cache (greedy and 3 beams)', async () => {
    const cached = await load(MERGED);
    const plain = await load(NOCACHE);
    for (const numBeams of [1, 3]) {
      const a = capture(cached);
      const b = capture(plain);
      const opts = { language: 'en', maxNewTokens: 6, numBeams };
      const ra = await cached.run(audio, opts);
      const rb = await plain.run(audio, opts);
      expect(a.tokens[0]!.length).toBeGreaterThan(0);
      expect(a.tokens).toEqual(b.tokens);
      expect(ra).toEqual(rb);
      expect(a.logits.length).toBe(b.logits.length);
      let maxDiff = 0;
      a.logits.forEach((row, i) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.logits[i]![j]!)))));
      expect(maxDiff, `numBeams ${numBeams}`).toBeLessThanOrEqual(1e-4);
    }
  }, 60_000);

  it('the merged decoder and the split decoders (decoder_model + decoder_with_past) give the same tokens', async () => {
    const merged = await load(MERGED);
    const split = await load(SPLIT);
    for (const opts of [{ language: 'en', maxNewTokens: 8 }, { language: 'de', maxNewTokens: 5, numBeams: 2, returnTimestamps: true }]) {
      const a = capture(merged);
      const b = capture(split);
      const ra = await merged.run(audio, opts);
      const rb = await split.run(audio, opts);
      expect(a.tokens).toEqual(b.tokens);
      expect(ra).toEqual(rb);
    }
  }, 60_000);

  it('beam search with one beam equals greedy decoding', async () => {
    const greedy = await load(MERGED);
    const beam = await load(MERGED, (s) => { s.stages.chunks.body.tokens.body.next.with = { forceBeamSearch: true }; });
    for (const returnTimestamps of [false, true]) {
      const a = capture(greedy);
      const b = capture(beam);
      const opts = { language: 'en', maxNewTokens: 10, returnTimestamps };
      expect(await beam.run(audio, opts)).toEqual(await greedy.run(audio, opts));
      expect(b.tokens).toEqual(a.tokens);
    }
  }, 60_000);

  it('is deterministic: the same seed samples the same tokens, another seed others', async () => {
    const p = await load(MERGED);
    const c = capture(p);
    const opts = { language: 'en', maxNewTokens: 12, temperature: 1.5 };
    const r1 = await p.run(audio, { ...opts, seed: 5 });
    const r2 = await p.run(audio, { ...opts, seed: 5 });
    await p.run(audio, { ...opts, seed: 6 });
    const g = capture(p);
    await p.run(audio, { language: 'en', maxNewTokens: 12 });
    expect(r1).toEqual(r2);
    expect(c.tokens[0]).toEqual(c.tokens[1]);
    expect(c.tokens[2]).not.toEqual(c.tokens[0]);
    expect(c.tokens[0]).not.toEqual(g.tokens[0]); // sampling, not greedy
    // concurrent runs do not share state
    const [x, y] = await Promise.all([p.run(audio, { ...opts, seed: 5 }), p.run(audio, { ...opts, seed: 5 })]);
    expect(x).toEqual(r1);
    expect(y).toEqual(r1);
  }, 60_000);

  it('detects the language from one decoder step when none is given', async () => {
    const p = await load(MERGED);
    const c = capture(p);
    let probe: Tensor | undefined;
    p.intercept('chunks/detect/decoder', async (inputs, next) => {
      expect((inputs.input_ids as Tensor).dims).toEqual([1, 1]);
      const out = await next(inputs);
      probe = out.logits as Tensor;
      return out;
    });
    let prefix: number[] = [];
    p.intercept('prompt', async (inputs, next) => {
      const out = await next(inputs);
      c.language.push(out.language as string);
      prefix = out.prefix as number[];
      return out;
    });
    await p.run(audio, { maxNewTokens: 3 });
    expect(c.detectSteps).toBe(1);
    const ids = tokenizer.languageTokenIds;
    const l = probe!.data as Float32Array;
    const best = ids.reduce((b, id) => (l[id]! > l[b]! ? id : b), ids[0]!);
    expect(c.language).toEqual([tokenizer.languageOf(best)]);
    expect(prefix).toEqual([tokenizer.sotId, best, tokenizer.transcribeId, tokenizer.noTimestampsId]);
    // with a language: no detection step, and translate puts <|translate|> in the prompt
    await p.run(audio, { maxNewTokens: 3, language: 'french', task: 'translate' });
    expect(c.detectSteps).toBe(1);
    expect(prefix).toEqual([tokenizer.sotId, tokenizer.languageTokenId('fr'), tokenizer.translateId, tokenizer.noTimestampsId]);
    await expect(p.run(audio, { language: 'klingon' })).rejects.toThrow(/unsupported language/);
    await expect(p.run(audio, { task: 'summarize' })).rejects.toThrow(/task must be transcribe or translate/);
  }, 60_000);

  it('returnTimestamps: timestamped segments when on, one untimed chunk when off', async () => {
    const p = await load(MERGED);
    const c = capture(p);
    const on = await p.run(audio, { language: 'en', maxNewTokens: 12, returnTimestamps: true });
    const off = await p.run(audio, { language: 'en', maxNewTokens: 12 });
    const tOn = c.tokens[0]!;
    expect(tokenizer.isTimestamp(tOn[0]!)).toBe(true); // the first sampled token is a timestamp
    expect(c.prefixes[0]).toEqual([tokenizer.sotId, tokenizer.languageTokenId('en'), tokenizer.transcribeId]);
    expect(c.prefixes[1]).toEqual([tokenizer.sotId, tokenizer.languageTokenId('en'), tokenizer.transcribeId, tokenizer.noTimestampsId]);
    const chunks = on.chunks as { timestamp: [number, number | null]; text: string }[];
    expect(chunks.length).toBeGreaterThan(0);
    for (const ch of chunks) {
      expect(ch.timestamp[0]).toBeGreaterThanOrEqual(0);
      if (ch.timestamp[1] !== null) expect(ch.timestamp[1]).toBeGreaterThanOrEqual(ch.timestamp[0]);
    }
    expect(on.text).toBe(chunks.map((ch) => ch.text).join(''));
    expect(off.chunks).toEqual([{ timestamp: [0, 2.5], text: off.text }]);
    expect(off.text).toBe(tokenizer.decode(c.tokens[1]!, { skipSpecialTokens: true }));
  }, 60_000);

  it('reads WAV variants (8/16/24-bit, float, stereo, 8/44.1/48 kHz), as files and as bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whisper-wav-'));
    const p = await load(MERGED);
    const variants: [string, number, number, string][] = [
      ['pcm8', 16000, 1, '8'], ['pcm16', 16000, 1, '16'], ['pcm24', 16000, 1, '24'], ['float32', 16000, 1, '32f'],
      ['stereo16', 16000, 2, '16'], ['rate8k', 8000, 1, '16'], ['rate44k', 44100, 1, '16'], ['rate48k', 48000, 2, '32f'],
    ];
    // The encoder's numbers do not matter here: it returns one fixed output, so each variant costs
    // only its decoding, resampling and log-mel (checked to give [1, 80, 3000] features).
    const fixed = await (await load(MERGED)).run(audio, { language: 'en', maxNewTokens: 1 }).then(() => [...encoderMemo.values()][0]!);
    p.intercept('encode', (inputs) => {
      expect((inputs.input_features as Tensor).dims).toEqual([1, 80, 3000]);
      return fixed;
    });
    const seen: number[] = [];
    p.intercept('load', async (inputs, next) => {
      const out = await next(inputs);
      seen.push(out.durationS as number);
      return out;
    });
    const texts = new Set<string>();
    for (const [name, rate, channels, depth] of variants) {
      const x = signal(1, rate);
      const scale = depth === '8' ? (v: number) => Math.round(v * 127 + 128) : depth === '16' ? (v: number) => Math.round(v * 32767) : depth === '24' ? (v: number) => Math.round(v * 8388607) : (v: number) => v;
      const ch = Array.from(x, scale);
      const w = new WaveFile();
      w.fromScratch(channels, rate, depth, channels === 1 ? ch : [ch, ch.map((v) => (depth === '8' ? v : v))]);
      const file = join(dir, `${name}.wav`);
      writeFileSync(file, w.toBuffer());
      const out = await p.run(name === 'rate44k' ? new Uint8Array(readFileSync(file)) : file, { language: 'en', maxNewTokens: 2 });
      expect(typeof out.text, name).toBe('string');
      texts.add(out.text as string);
    }
    expect(seen).toHaveLength(variants.length);
    for (const d of seen) expect(d).toBeCloseTo(1, 3);
    await expect(p.run(join(dir, 'missing.wav'))).rejects.toThrow(/ENOENT|no such file/);
  }, 120_000);

  it('chunks long audio (70 s) into overlapping windows and merges one transcript with increasing timestamps', async () => {
    const p = await load(MERGED);
    const c = capture(p);
    const steps: number[] = [];
    p.hooks.on('step', (e) => { if (e.loop === 'chunks') steps.push(e.index); });
    const long = signal(70);
    const out = await p.run(long, { language: 'en', maxNewTokens: 6, returnTimestamps: true });
    expect(steps).toEqual([0, 1, 2, 3]); // windows at 0, 20, 40, 60 s (30 s, 5 s strides)
    expect(c.tokens).toHaveLength(4);
    const chunks = out.chunks as { timestamp: [number, number | null]; text: string }[];
    expect(chunks.length).toBeGreaterThan(1);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.timestamp[0]).toBeGreaterThanOrEqual(chunks[i - 1]!.timestamp[1] ?? chunks[i - 1]!.timestamp[0]);
    expect(chunks[chunks.length - 1]!.timestamp[0]).toBeGreaterThan(30);
    for (const ch of chunks) expect(ch.timestamp[1] ?? 70).toBeLessThanOrEqual(70);
    expect(out.text).toBe(chunks.map((ch) => ch.text).join(''));
    // without timestamps: the windows' tokens are merged by their overlap into one text
    const plain = await p.run(long, { language: 'en', maxNewTokens: 6 });
    expect(plain.chunks).toEqual([{ timestamp: [0, 70], text: plain.text }]);
    expect((plain.text as string).length).toBeGreaterThan(0);
  }, 120_000);
});
