// Engine vs torch on the exported models: runs text_encoder, unet and vae_decoder of an exported
// folder on onnxflow's CPU backend with the inputs export.py recorded in ckpt/export_reference.json
// and prints the largest absolute difference from torch's outputs; also checks that the Python
// tokenizer (tokenizer.py) and the pipeline's CLIP tokenizer agree on every held-out prompt.
//   node training/shapes/check_export.mjs [--model-dir models/shapes-sd] [--build DIR (default $ONNXFLOW_BUILD, else .build/h4)] [--ckpt training/shapes/ckpt]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const dir = resolve(opt('--model-dir', join(ROOT, 'models', 'shapes-sd')));
const build = resolve(ROOT, opt('--build', process.env.ONNXFLOW_BUILD ?? '.build/h4'));
const { InferenceSession, Tensor } = await import(pathToFileURL(join(build, 'index.js')).href);
const { ClipTokenizer } = await import(pathToFileURL(join(build, 'components', 'tokenizers', 'clip.js')).href);
const ref = JSON.parse(readFileSync(join(resolve(opt('--ckpt', join(HERE, 'ckpt'))), 'export_reference.json'), 'utf8'));
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

const te = await InferenceSession.create(join(dir, 'text_encoder', 'model.onnx'));
const ids = ref.text_encoder.input_ids;
const teOut = await te.run({ input_ids: new Tensor('int64', BigInt64Array.from(ids.flat().map(BigInt)), [1, ids[0].length]) });
console.log('text_encoder pooler_output max |diff|', maxDiff([...teOut.pooler_output.data], ref.text_encoder.pooler_output).toExponential(2),
  'last_hidden_state sum diff', Math.abs([...teOut.last_hidden_state.data].reduce((a, b) => a + b, 0) - ref.text_encoder.last_hidden_state_sum).toExponential(2));

const unet = await InferenceSession.create(join(dir, 'unet', 'model.onnx'));
const u = await unet.run({
  sample: new Tensor('float32', Float32Array.from(ref.unet.sample), [1, 4, 8, 8]),
  timestep: new Tensor('float32', Float32Array.from([ref.unet.timestep]), []),
  encoder_hidden_states: teOut.last_hidden_state,
});
console.log('unet out_sample max |diff|', maxDiff([...u.out_sample.data], ref.unet.out_sample).toExponential(2));

const dec = await InferenceSession.create(join(dir, 'vae_decoder', 'model.onnx'));
const d = await dec.run({ latent_sample: new Tensor('float32', Float32Array.from(ref.unet.sample), [1, 4, 8, 8]) });
console.log('vae_decoder sample dims', d.sample.dims.join('x'), 'max |diff| (first 64)', maxDiff([...d.sample.data].slice(0, 64), ref.vae_decoder.sample_head).toExponential(2));

const tok = await ClipTokenizer.fromFolder(join(dir, 'tokenizer'));
const held = JSON.parse(readFileSync(join(HERE, 'heldout.json'), 'utf8'));
const pyIds = JSON.parse(readFileSync(join(resolve(opt('--ckpt', join(HERE, 'ckpt'))), 'tokenizer_reference.json'), 'utf8'));
let same = 0;
for (const [i, h] of held.entries()) if (JSON.stringify(tok.encode(h.prompt, { maxLength: 77, padding: 'max_length', truncation: true }).inputIds) === JSON.stringify(pyIds[i])) same++;
console.log(`tokenizer: ${same}/${held.length} held-out prompts tokenized identically by tokenizer.py and the pipeline's CLIP tokenizer`);
