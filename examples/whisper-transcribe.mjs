// Whisper end to end: synthesize a sentence with espeak-ng, transcribe it with pipelines/whisper.yaml,
// and print the text, the timestamped chunks and the time spent per stage (from the pipeline's hooks).
// Run: node examples/whisper-transcribe.mjs [--model-dir out/] [sentence]
// With no --model-dir it runs the default model trained on synthetic speech (digits and a few words:
// say those); with an export of the real model (optimum-cli export onnx --model openai/whisper-tiny
// --task automatic-speech-recognition-with-past out/) it prints what was said.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline } from 'onnxflow';

const args = process.argv.slice(2);
const dirAt = args.indexOf('--model-dir');
const modelDir = dirAt >= 0 ? args.splice(dirAt, 2)[1] : undefined;
const sentence = args.join(' ') || 'three seven one nine';

const probe = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.log('espeak-ng is not installed (apt-get install -y espeak-ng): nothing to transcribe, skipping the Whisper example.');
  process.exit(0);
}
const wav = join(mkdtempSync(join(tmpdir(), 'onnxflow-whisper-')), 'speech.wav');
const synth = spawnSync('espeak-ng', ['-w', wav, sentence], { encoding: 'utf8' });
if (synth.status !== 0) throw new Error(`espeak-ng failed: ${synth.stderr}`);
console.log(`espeak-ng said: ${JSON.stringify(sentence)} → ${wav} (${statSync(wav).size} bytes)`);

const p = await loadPipeline(fileURLToPath(new URL('../pipelines/whisper.yaml', import.meta.url)), { modelDir });
const timings = new Map();
p.hooks.on('stage:after', (e) => {
  const t = timings.get(e.stage) ?? { calls: 0, ms: 0 };
  t.calls++;
  t.ms += e.ms;
  timings.set(e.stage, t);
});
const t0 = performance.now();
const out = await p.run(wav, { language: 'en', returnTimestamps: true, maxNewTokens: 48 });
const total = performance.now() - t0;

console.log(`text: ${out.text}`);
console.log('chunks:');
for (const c of out.chunks) console.log(`  [${c.timestamp[0].toFixed(2)} → ${c.timestamp[1] === null ? '…' : c.timestamp[1].toFixed(2)}] ${c.text}`);
console.log('stage timings:');
console.log(`  ${'stage'.padEnd(28)} ${'calls'.padStart(6)} ${'total ms'.padStart(10)} ${'ms/call'.padStart(9)}`);
for (const [stage, t] of timings) console.log(`  ${stage.padEnd(28)} ${String(t.calls).padStart(6)} ${t.ms.toFixed(1).padStart(10)} ${(t.ms / t.calls).toFixed(2).padStart(9)}`);
console.log(`total: ${total.toFixed(0)} ms`);
