// The Whisper generator: optimum's export layout (file names, I/O names, dtypes, dynamic axes), valid
// models that run on the engine, KV-cache consistency (decoder_with_past vs decoder on the whole prefix),
// the merged decoder's two branches, determinism, the cache helper, the tokenizer, and onnxruntime-node
// as a reference.
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
import { InferenceSession, Tensor, checkModel, loadModelFile, type Model } from '../../src/index.js';
import { mulberry32 } from '../../src/generate/common/weights.js';
import { buildEncoder, buildWhisperTokenizer, ensureWhisper, generateWhisper, suppressTokens, whisperConfig, type WhisperGenerateResult } from '../../src/generate/whisper/index.js';
import { maxRelError, runOrt } from '../helpers/ort.js';
import { expectClose } from '../helpers/close.js';

const root = mkdtempSync(join(tmpdir(), 'onnxflow-whisper-'));
let gen: WhisperGenerateResult;
let encoderOut: Tensor;
const sessions: Record<string, InferenceSession> = {};

const MODELS = ['encoder_model', 'decoder_model', 'decoder_with_past_model', 'decoder_model_merged'] as const;
const D = 64;
const H = 2;
const DH = 32;
const LAYERS = 2;

function features(seed: number): Tensor {
  const next = mulberry32(seed);
  const x = new Float32Array(80 * 3000);
  for (let i = 0; i < x.length; i++) x[i] = next() * 2 - 1;
  return new Tensor('float32', x, [1, 80, 3000]);
}

const ids = (v: number[]) => new Tensor('int64', v.map(BigInt), [1, v.length]);
const shapes = (m: Model, which: 'inputs' | 'outputs') =>
  Object.fromEntries(m.graph[which].map((v) => [v.name, v.type?.kind === 'tensor' ? `${v.type.elemType}[${v.type.shape!.join(',')}]` : '?']));


beforeAll(async () => {
  gen = generateWhisper(join(root, 'tiny'), { size: 'tiny', seed: 0 });
  for (const m of MODELS) sessions[m] = await InferenceSession.create(gen.models[m].path);
  encoderOut = (await sessions.encoder_model!.run({ input_features: features(7) })).last_hidden_state as Tensor;
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('whisper generator: layout', () => {
  it('writes the files optimum-cli export onnx --task automatic-speech-recognition-with-past writes', () => {
    expect(readdirSync(gen.dir).sort()).toEqual([
      'added_tokens.json', 'config.json', 'decoder_model.onnx', 'decoder_model_merged.onnx', 'decoder_with_past_model.onnx',
      'encoder_model.onnx', 'generation_config.json', 'merges.txt', 'preprocessor_config.json', 'special_tokens_map.json',
      'tokenizer.json', 'tokenizer_config.json', 'vocab.json',
    ]);
  });

  it('has the export I/O names, dtypes and dynamic axes', () => {
    const V = gen.tokenizer.vocabSize;
    const enc = loadModelFile(gen.models.encoder_model.path);
    expect(shapes(enc, 'inputs')).toEqual({ input_features: 'float32[batch_size,80,3000]' });
    expect(shapes(enc, 'outputs')).toEqual({ last_hidden_state: `float32[batch_size,encoder_sequence_length / 2,${D}]` });

    const dec = loadModelFile(gen.models.decoder_model.path);
    expect(shapes(dec, 'inputs')).toEqual({
      input_ids: 'int64[batch_size,decoder_sequence_length]',
      encoder_hidden_states: `float32[batch_size,encoder_sequence_length / 2,${D}]`,
    });
    const present: Record<string, string> = {};
    for (let i = 0; i < LAYERS; i++) {
      present[`present.${i}.decoder.key`] = `float32[batch_size,${H},past_decoder_sequence_length + 1,${DH}]`;
      present[`present.${i}.decoder.value`] = `float32[batch_size,${H},past_decoder_sequence_length + 1,${DH}]`;
      present[`present.${i}.encoder.key`] = `float32[batch_size,${H},encoder_sequence_length_out,${DH}]`;
      present[`present.${i}.encoder.value`] = `float32[batch_size,${H},encoder_sequence_length_out,${DH}]`;
    }
    expect(shapes(dec, 'outputs')).toEqual({ logits: `float32[batch_size,decoder_sequence_length,${V}]`, ...present });
    expect(dec.graph.outputs.map((o) => o.name)).toEqual(['logits', ...Object.keys(present)]);

    const past = loadModelFile(gen.models.decoder_with_past_model.path);
    const pastIn: Record<string, string> = { input_ids: 'int64[batch_size,1]' };
    for (let i = 0; i < LAYERS; i++) {
      for (const kv of ['key', 'value']) pastIn[`past_key_values.${i}.decoder.${kv}`] = `float32[batch_size,${H},past_decoder_sequence_length,${DH}]`;
      for (const kv of ['key', 'value']) pastIn[`past_key_values.${i}.encoder.${kv}`] = `float32[batch_size,${H},encoder_sequence_length_out,${DH}]`;
    }
    expect(shapes(past, 'inputs')).toEqual(pastIn);
    expect(past.graph.outputs.map((o) => o.name)).toEqual(['logits', ...Object.keys(present).filter((n) => n.includes('.decoder.'))]);

    const merged = loadModelFile(gen.models.decoder_model_merged.path);
    expect(merged.graph.inputs.map((i) => i.name)).toEqual(['input_ids', 'encoder_hidden_states', ...Object.keys(pastIn).slice(1), 'use_cache_branch']);
    expect(shapes(merged, 'inputs').use_cache_branch).toBe('bool[1]');
    expect(shapes(merged, 'outputs')).toEqual(shapes(dec, 'outputs'));
    expect(merged.graph.nodes.map((n) => `${n.name}:${n.opType}`)).toEqual(['optimum::if:If']);
    const ifNode = merged.graph.nodes[0]!;
    expect(ifNode.attrs.then_branch?.type === 'graph' && ifNode.attrs.then_branch.value.name).toBe('with_past');
    expect(ifNode.attrs.else_branch?.type === 'graph' && ifNode.attrs.else_branch.value.name).toBe('no_past');
    // Weights live once, in the outer graph, deduplicated across both branches.
    expect([...merged.graph.initializers.keys()]).toContain('model.decoder.embed_tokens.weight_merged_0');
    for (const m of [enc, dec, past, merged]) expect(m.opsets.get('')).toBe(17);
  });

  it('writes the config, generation and preprocessor files with consistent token ids', () => {
    const cfg = JSON.parse(readFileSync(join(gen.dir, 'config.json'), 'utf8'));
    const gc = JSON.parse(readFileSync(join(gen.dir, 'generation_config.json'), 'utf8'));
    const pp = JSON.parse(readFileSync(join(gen.dir, 'preprocessor_config.json'), 'utf8'));
    const t = gen.tokenizer.ids;
    expect(cfg).toMatchObject({ model_type: 'whisper', d_model: D, encoder_layers: 2, decoder_layers: 2, encoder_attention_heads: H, num_mel_bins: 80, vocab_size: 4000, max_source_positions: 1500, max_target_positions: 448, decoder_start_token_id: t.sot, eos_token_id: t.eot });
    expect(gc).toMatchObject({ decoder_start_token_id: t.sot, no_timestamps_token_id: t.notimestamps, max_length: 448, begin_suppress_tokens: [220, t.eot], forced_decoder_ids: [[1, null], [2, t.transcribe]], task_to_id: { transcribe: t.transcribe, translate: t.translate }, is_multilingual: true });
    expect(Object.keys(gc.lang_to_id)).toHaveLength(99);
    expect(gc.lang_to_id['<|en|>']).toBe(t.sot + 1);
    expect(gc.suppress_tokens).toEqual(expect.arrayContaining([1, 2, 7, 8, t.sot, t.translate, t.transcribe, t.startoflm, t.startofprev, t.nocaptions]));
    expect(pp).toMatchObject({ feature_size: 80, sampling_rate: 16000, hop_length: 160, n_fft: 400, chunk_length: 30, padding_value: 0, nb_max_frames: 3000, n_samples: 480000 });
  });

  it('lays the special tokens out as Whisper does and the tokenizer files load in tokenizers.js', () => {
    const t = gen.tokenizer;
    const N = t.regularSize;
    expect(t.ids).toMatchObject({ eot: N, sot: N + 1, translate: N + 101, transcribe: N + 102, startoflm: N + 103, startofprev: N + 104, nocaptions: N + 105, notimestamps: N + 106, timestampBegin: N + 107 });
    expect(t.ids.languages.en).toBe(N + 2);
    expect(t.ids.languages.su).toBe(N + 100);
    expect(t.added.at(-1)).toMatchObject({ id: N + 1607, content: '<|30.00|>' });
    expect(t.vocabSize).toBe(N + 1608);
    const tok = new Tokenizer(JSON.parse(readFileSync(join(gen.dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(gen.dir, 'tokenizer_config.json'), 'utf8')));
    const text = ' Hello world, the people say thank you! 42 times';
    const ref = tok.encode(text, { add_special_tokens: false }).ids;
    expect(t.encode(text)).toEqual(ref);
    expect(t.encode(' the people')).toHaveLength(2);
    expect(tok.decode(ref)).toBe(text);
    expect(t.decode([t.ids.sot, t.ids.languages.en!, t.ids.transcribe, ...t.encode(' thank you')])).toBe('<|startoftranscript|><|en|><|transcribe|> thank you');
    const added = JSON.parse(readFileSync(join(gen.dir, 'added_tokens.json'), 'utf8'));
    expect(added['<|notimestamps|>']).toBe(t.ids.notimestamps);
    expect(JSON.parse(readFileSync(join(gen.dir, 'vocab.json'), 'utf8'))['<|endoftext|>']).toBe(N);
  });
});

describe('whisper generator: models run', () => {
  it('every model passes checkModel', () => {
    for (const m of MODELS) expect(checkModel(loadModelFile(gen.models[m].path)), m).toEqual([]);
  });

  it('the encoder maps [1, 80, 3000] features to [1, 1500, d_model]', () => {
    expect(encoderOut.dims).toEqual([1, 1500, D]);
    expect((encoderOut.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('decoding 5 tokens with decoder_with_past matches decoder_model on the whole prefix', async () => {
    const t = gen.tokenizer;
    const tokens = [t.ids.sot, t.ids.languages.en!, t.ids.transcribe, t.ids.notimestamps, ...t.encode(' hello')];
    const first = await sessions.decoder_model!.run({ input_ids: ids(tokens.slice(0, 1)), encoder_hidden_states: encoderOut });
    let cache = first;
    for (let step = 1; step < 5; step++) {
      const feeds: Record<string, Tensor> = { input_ids: ids([tokens[step]!]) };
      for (const n of sessions.decoder_with_past_model!.inputNames) if (n !== 'input_ids') feeds[n] = cache[n.replace('past_key_values', 'present')] as Tensor;
      const out = await sessions.decoder_with_past_model!.run(feeds);
      const full = await sessions.decoder_model!.run({ input_ids: ids(tokens.slice(0, step + 1)), encoder_hidden_states: encoderOut });
      const fl = full.logits as Tensor;
      const V = fl.dims[2]!;
      const last = new Tensor('float32', (fl.data as Float32Array).slice(step * V), [1, 1, V]);
      expectClose(out.logits as Tensor, last, 1e-4, `step ${step}`);
      expectClose(out['present.1.decoder.key'] as Tensor, full['present.1.decoder.key'] as Tensor, 1e-4, `cache ${step}`);
      cache = { ...cache, ...out };
    }
  });

  it('the merged decoder matches the split pair in both branches', async () => {
    const t = gen.tokenizer;
    const merged = sessions.decoder_model_merged!;
    const prompt = [t.ids.sot, t.ids.languages.en!, t.ids.transcribe];
    const dummy = new Tensor('float32', new Float32Array(H * DH), [1, H, 1, DH]);
    const noPastFeeds: Record<string, Tensor> = { input_ids: ids(prompt), encoder_hidden_states: encoderOut, use_cache_branch: new Tensor('bool', [false], [1]) };
    for (const n of merged.inputNames) if (n.startsWith('past_key_values')) noPastFeeds[n] = dummy;
    const m0 = await merged.run(noPastFeeds);
    const d0 = await sessions.decoder_model!.run({ input_ids: ids(prompt), encoder_hidden_states: encoderOut });
    for (const n of sessions.decoder_model!.outputNames) expectClose(m0[n] as Tensor, d0[n] as Tensor, 1e-6, n);

    const pastFeeds: Record<string, Tensor> = { input_ids: ids([t.ids.notimestamps]), encoder_hidden_states: encoderOut, use_cache_branch: new Tensor('bool', [true], [1]) };
    const splitFeeds: Record<string, Tensor> = { input_ids: ids([t.ids.notimestamps]) };
    for (const n of merged.inputNames) if (n.startsWith('past_key_values')) pastFeeds[n] = splitFeeds[n] = d0[n.replace('past_key_values', 'present')] as Tensor;
    const m1 = await merged.run(pastFeeds);
    const d1 = await sessions.decoder_with_past_model!.run(splitFeeds);
    for (const n of sessions.decoder_with_past_model!.outputNames) expectClose(m1[n] as Tensor, d1[n] as Tensor, 1e-6, n);
    // optimum's unified outputs: the with-past branch returns empty cross-attention presents [0, H, 1, dh].
    expect((m1['present.0.encoder.key'] as Tensor).dims).toEqual([0, H, 1, DH]);
  });

  it('agrees with onnxruntime-node on all four models', async () => {
    const bytes = (m: string) => readFileSync(gen.models[m as 'encoder_model'].path);
    const encFeeds = { input_features: features(7) };
    const encRef = await runOrt(bytes('encoder_model'), encFeeds);
    expectClose(encoderOut, encRef.last_hidden_state!, 1e-4, 'encoder');

    const t = gen.tokenizer;
    const decFeeds = { input_ids: ids([t.ids.sot, t.ids.languages.en!, t.ids.transcribe]), encoder_hidden_states: encoderOut };
    const ours = await sessions.decoder_model!.run(decFeeds);
    const ref = await runOrt(bytes('decoder_model'), decFeeds);
    for (const n of Object.keys(ref)) expectClose(ours[n] as Tensor, ref[n]!, 1e-4, n);

    const pastFeeds: Record<string, Tensor> = { input_ids: ids([t.ids.notimestamps]) };
    for (const n of sessions.decoder_with_past_model!.inputNames) if (n !== 'input_ids') pastFeeds[n] = ours[n.replace('past_key_values', 'present')] as Tensor;
    const oursPast = await sessions.decoder_with_past_model!.run(pastFeeds);
    const refPast = await runOrt(bytes('decoder_with_past_model'), pastFeeds);
    for (const n of Object.keys(refPast)) expectClose(oursPast[n] as Tensor, refPast[n]!, 1e-4, n);

    const mergedFeeds = { ...pastFeeds, encoder_hidden_states: encoderOut, use_cache_branch: new Tensor('bool', [true], [1]) };
    const refMerged = await runOrt(bytes('decoder_model_merged'), mergedFeeds);
    expectClose(refMerged.logits!, oursPast.logits as Tensor, 1e-4, 'merged logits');
    expect(refMerged['present.1.encoder.value']!.dims).toEqual([0, H, 1, DH]);
  }, 30_000);
});

describe('whisper generator: determinism and cache', () => {
  it('the same seed gives byte-identical files, another seed different weights', () => {
    const again = generateWhisper(join(root, 'again'), { size: 'tiny', seed: 0 });
    for (const f of readdirSync(gen.dir)) expect(readFileSync(join(again.dir, f)).equals(readFileSync(join(gen.dir, f))), f).toBe(true);
    const other = generateWhisper(join(root, 'other'), { size: 'tiny', seed: 1 });
    expect(readFileSync(other.models.encoder_model.path).equals(readFileSync(gen.models.encoder_model.path))).toBe(false);
    expect(readFileSync(join(other.dir, 'tokenizer.json')).equals(readFileSync(join(gen.dir, 'tokenizer.json')))).toBe(true);
  });

  it('ensureWhisper generates once into <cache>/whisper-<size>-v1 and reuses it', () => {
    const cacheDir = join(root, 'cache');
    const dir = ensureWhisper('tiny', { cacheDir });
    expect(dir).toBe(join(cacheDir, 'whisper-tiny-v1'));
    expect(existsSync(join(dir, 'decoder_model_merged.onnx'))).toBe(true);
    const before = readFileSync(join(dir, 'encoder_model.onnx'));
    expect(ensureWhisper('tiny', { cacheDir })).toBe(dir);
    expect(readFileSync(join(dir, 'encoder_model.onnx')).equals(before)).toBe(true);
    expect(readFileSync(join(dir, 'encoder_model.onnx')).equals(readFileSync(gen.models.encoder_model.path))).toBe(true);
  });
});

describe('whisper generator: base size and options', () => {
  it('base uses whisper-base widths and the real multilingual token ids', () => {
    const c = whisperConfig('base');
    expect(c).toMatchObject({ dModel: 512, encoderLayers: 6, decoderLayers: 6, encoderHeads: 8, decoderHeads: 8, encoderFfn: 2048, decoderFfn: 2048 });
    const t = buildWhisperTokenizer(c.regularVocab);
    expect(t.vocabSize).toBe(51865);
    expect(t.ids).toMatchObject({ eot: 50257, sot: 50258, translate: 50358, transcribe: 50359, startoflm: 50360, startofprev: 50361, nocaptions: 50362, notimestamps: 50363, timestampBegin: 50364 });
    expect(t.ids.languages).toMatchObject({ en: 50259, zh: 50260, de: 50261, ko: 50264, fr: 50265, ja: 50266, hi: 50276, haw: 50352, su: 50357 });
    expect(t.encode(' ')).toEqual([220]);
    expect(suppressTokens(t).slice(0, 23)).toEqual([1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93]);
    expect(suppressTokens(t).slice(-6)).toEqual([50258, 50358, 50359, 50360, 50361, 50362]);
  });

  it('nMels sets the encoder input width (128 for large-v3 style features)', () => {
    const { model } = buildEncoder(whisperConfig('tiny', 128), 0);
    const x = model.graph.inputs[0]!;
    expect(x.type?.kind === 'tensor' && x.type.shape).toEqual(['batch_size', 128, 3000]);
    expect(model.graph.initializers.get('model.encoder.conv1.weight')!.dims).toEqual([64, 128, 3]);
  });
});
