// onnxflow engine vs torch on the exported speech models: runs encoder_model, decoder_model,
// decoder_with_past_model and decoder_model_merged (both branches) on the inputs export.py recorded in
// ckpt/export_reference.json and prints the largest absolute difference from torch's outputs, per backend.
//   node training/speech/check_export.mjs [--model-dir training/speech/out/digits-whisper] [--build .build/h8] [--backends cpu,native,ort]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const dir = resolve(opt('--model-dir', join(HERE, 'out', 'digits-whisper')));
const { InferenceSession, Tensor } = await import(pathToFileURL(join(resolve(ROOT, opt('--build', process.env.ONNXFLOW_BUILD ?? '.build/h8')), 'index.js')).href);
const ref = JSON.parse(readFileSync(join(HERE, 'ckpt', 'export_reference.json'), 'utf8'));
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const spec = JSON.parse(readFileSync(join(HERE, 'model.json'), 'utf8'));
const frames = spec.chunk_length * 100;
const i64 = (ids) => new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);

for (const backend of opt('--backends', 'cpu,native,ort').split(',')) {
  const o = { backend };
  const enc = await InferenceSession.create(join(dir, 'encoder_model.onnx'), o);
  const e = await enc.run({ input_features: new Tensor('float32', Float32Array.from(ref.input_features), [1, 80, frames]) });
  const dec = await InferenceSession.create(join(dir, 'decoder_model.onnx'), o);
  const d = await dec.run({ input_ids: i64(ref.prompt), encoder_hidden_states: e.last_hidden_state });
  const V = d.logits.dims[2];
  const last = (t) => [...t.data].slice(-V);
  const past = {};
  for (const [k, v] of Object.entries(d)) if (k.startsWith('present.')) past[k.replace('present', 'past_key_values')] = v;
  const wp = await InferenceSession.create(join(dir, 'decoder_with_past_model.onnx'), o);
  const w = await wp.run({ input_ids: i64([ref.next_id]), ...past });
  const merged = await InferenceSession.create(join(dir, 'decoder_model_merged.onnx'), o);
  const emptyPast = {};
  for (const k of Object.keys(past)) {
    const dims = [...past[k].dims];
    dims[2] = 0;
    emptyPast[k] = new Tensor('float32', new Float32Array(0), dims);
  }
  const m0 = await merged.run({ input_ids: i64(ref.prompt), encoder_hidden_states: e.last_hidden_state, ...emptyPast, use_cache_branch: new Tensor('bool', Uint8Array.from([0]), [1]) });
  const m1 = await merged.run({ input_ids: i64([ref.next_id]), encoder_hidden_states: e.last_hidden_state, ...past, use_cache_branch: new Tensor('bool', Uint8Array.from([1]), [1]) });
  console.log(`${backend}: encoder max |diff| ${maxDiff([...e.last_hidden_state.data], ref.last_hidden_state).toExponential(2)}; ` +
    `decoder logits ${maxDiff(last(d.logits), ref.decoder_logits_last).toExponential(2)}; with_past ${maxDiff(last(w.logits), ref.with_past_logits).toExponential(2)}; ` +
    `merged no-cache ${maxDiff(last(m0.logits), ref.decoder_logits_last).toExponential(2)}, cache ${maxDiff(last(m1.logits), ref.with_past_logits).toExponential(2)}`);
}
