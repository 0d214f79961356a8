// The non-weight files of the speech model folder, built with onnxflow's own Whisper generator code
// (src/generate/whisper: tokenizer.ts, config.ts) so that they are exactly what the pipeline and the tests
// already read, and the merged decoder (src/generate/common/merge.ts = optimum's merge_decoders).
//
//   node training/speech/make_files.mjs files OUT_DIR  [--build .build/h8]
//       tokenizer files (Whisper byte-level BPE over the digit/word vocabulary: every word, with and without
//       its leading space, is one token; then <|endoftext|> <|startoftranscript|> 99 languages <|translate|>
//       <|transcribe|> <|startoflm|> <|startofprev|> <|nocaptions|> <|notimestamps|> and 1501 timestamps,
//       Whisper's relative layout), config.json, generation_config.json, preprocessor_config.json
//       (short window: model.json's chunk_length), and OUT_DIR/../<name>.tokens.json (ids train.py and
//       export.py read).
//   node training/speech/make_files.mjs merge OUT_DIR  [--build .build/h8]
//       decoder_model.onnx + decoder_with_past_model.onnx -> decoder_model_merged.onnx
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const build = resolve(ROOT, opt('--build', process.env.ONNXFLOW_BUILD ?? '.build/h8'));
const imp = (p) => import(pathToFileURL(join(build, p)).href);
const [cmd, outArg] = argv;
const out = resolve(outArg);
const json = (v) => JSON.stringify(v, null, 2) + '\n';

if (cmd === 'files') {
  const { buildWhisperTokenizer, whisperTokenizerFiles } = await imp('generate/whisper/tokenizer.js');
  const { configJson, generationConfigJson, preprocessorConfigJson } = await imp('generate/whisper/config.js');
  const spec = JSON.parse(readFileSync(join(HERE, 'model.json'), 'utf8'));
  const words = spec.words;
  // Smallest regular vocabulary in which every word (with and without the leading space) is one token.
  let tok;
  for (let n = 256; ; n++) {
    tok = buildWhisperTokenizer(n, words);
    if (words.every((w) => tok.encode(' ' + w).length === 1 && tok.encode(w).length === 1)) break;
    if (n > 4096) throw new Error('no vocabulary size makes every word one token');
  }
  const c = {
    size: spec.name, dModel: spec.d_model, encoderLayers: spec.encoder_layers, decoderLayers: spec.decoder_layers,
    encoderHeads: spec.heads, decoderHeads: spec.heads, encoderFfn: spec.ffn, decoderFfn: spec.ffn, nMels: 80,
    nFrames: spec.chunk_length * 100, maxSourcePositions: spec.chunk_length * 50, maxTargetPositions: spec.max_target_positions,
    regularVocab: tok.regularSize, alignmentHeads: [[spec.decoder_layers - 1, 0]], layerNormEps: 1e-5,
  };
  const cfg = configJson(c, tok);
  cfg._name_or_path = spec.name;
  cfg._onnxflow_note = 'trained by training/speech (espeak-ng digits and small words); tokenizer and configs from src/generate/whisper';
  writeFileSync(join(out, 'config.json'), json(cfg));
  writeFileSync(join(out, 'generation_config.json'), json(generationConfigJson(c, tok)));
  const pre = preprocessorConfigJson(c);
  Object.assign(pre, { chunk_length: spec.chunk_length, n_samples: spec.chunk_length * 16000, nb_max_frames: spec.chunk_length * 100 });
  writeFileSync(join(out, 'preprocessor_config.json'), json(pre));
  for (const [name, text] of Object.entries(whisperTokenizerFiles(tok))) writeFileSync(join(out, name), text);
  const ids = tok.ids;
  const wordIds = {};
  for (const w of words) wordIds[w] = tok.encode(' ' + w)[0];
  const tokens = {
    vocab_size: tok.vocabSize, regular_size: tok.regularSize, eot: ids.eot, sot: ids.sot, en: ids.languages.en,
    transcribe: ids.transcribe, translate: ids.translate, notimestamps: ids.notimestamps, timestamp_begin: ids.timestampBegin,
    prompt: [ids.sot, ids.languages.en, ids.transcribe, ids.notimestamps], words: wordIds,
    suppress_tokens: cfg.suppress_tokens, begin_suppress_tokens: cfg.begin_suppress_tokens,
  };
  writeFileSync(join(out, '..', `${spec.name}.tokens.json`), json(tokens));
  console.log(`tokenizer: ${tok.regularSize} regular + ${tok.added.length} added = ${tok.vocabSize} tokens; prompt ${tokens.prompt}`);
} else if (cmd === 'merge') {
  const { decodeModel } = await imp('onnx/decode.js');
  const { encodeModel } = await imp('onnx/encode.js');
  const { mergeDecoders } = await imp('generate/common/merge.js');
  const dec = decodeModel(readFileSync(join(out, 'decoder_model.onnx')));
  const past = decodeModel(readFileSync(join(out, 'decoder_with_past_model.onnx')));
  const bytes = encodeModel(mergeDecoders(dec, past));
  writeFileSync(join(out, 'decoder_model_merged.onnx'), bytes);
  console.log(`decoder_model_merged.onnx: ${bytes.length} bytes`);
} else {
  console.error('usage: make_files.mjs files|merge OUT_DIR');
  process.exit(2);
}
