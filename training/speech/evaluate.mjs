// Word error rate of the unchanged pipelines/whisper.yaml on the held-out WAVs, per backend and decoding.
//
//   node training/speech/evaluate.mjs --model-dir training/speech/out/digits-whisper \
//        [--backends cpu,native,ort] [--beams 1,4] [--limit N] [--language ''] [--pipeline pipelines/whisper.yaml]
//        [--beam-limit N] [--heldout training/speech/heldout.json] [--wavs training/speech/cache/heldout] [--build .build/h8]
//        [--out training/speech/out/evaluate]
//
// Runs the pipeline through the library API (loadPipeline + run, i.e. what `onnxflow run` does) with
// chunkLengthS 0 (= the model's own window from preprocessor_config.json, also the YAML's default; a value
// longer than this model's 4 s window is rejected by speech.features), language detection (language '') unless
// --language is given, numBeams 1 (greedy) and each --beams value. WER = word-level Levenshtein distance /
// reference words, over all utterances and per held-out group (voice / voice+speed / speed). When
// out/torch_greedy.json (torch_decode.py) exists, the greedy transcripts are compared with PyTorch's.
// Writes OUT.json (every transcript) and OUT.txt (the table).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const modelDir = resolve(opt('--model-dir', join(HERE, 'out', 'digits-whisper')));
const backends = opt('--backends', 'cpu,native,ort').split(',').filter(Boolean);
const beams = opt('--beams', '1,4').split(',').map(Number);
const limit = Number(opt('--limit', '0'));
const beamLimit = Number(opt('--beam-limit', '0')); // beam search on the first N only (0: all)
const language = opt('--language', '');
const pipelinePath = resolve(ROOT, opt('--pipeline', 'pipelines/whisper.yaml'));
const heldoutPath = resolve(opt('--heldout', join(HERE, 'heldout.json')));
const wavDir = resolve(opt('--wavs', join(HERE, 'cache', 'heldout')));
const outBase = resolve(opt('--out', join(HERE, 'out', 'evaluate')));
const lib = await import(pathToFileURL(join(resolve(ROOT, opt('--build', process.env.ONNXFLOW_BUILD ?? '.build/h8')), 'index.js')).href);

export function wordErrors(ref, hyp) {
  const r = ref.trim().split(/\s+/).filter(Boolean);
  const h = hyp.trim().split(/\s+/).filter(Boolean);
  let d = Array.from({ length: h.length + 1 }, (_, j) => j);
  for (let i = 1; i <= r.length; i++) {
    const nd = [i];
    for (let j = 1; j <= h.length; j++) nd[j] = Math.min(d[j] + 1, nd[j - 1] + 1, d[j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
    d = nd;
  }
  return { errors: d[h.length], words: r.length };
}

let items = JSON.parse(readFileSync(heldoutPath, 'utf8')).utterances;
if (limit > 0) items = items.slice(0, limit);
const torchRef = existsSync(join(HERE, 'out', 'torch_greedy.json')) ? JSON.parse(readFileSync(join(HERE, 'out', 'torch_greedy.json'), 'utf8')) : null;
const torchByFile = new Map((torchRef?.utterances ?? []).map((u) => [u.file, u.hyp]));
const pipeline = await lib.loadPipeline(pipelinePath, { modelDir });
const results = [];
const lines = [`model ${modelDir}`, `pipeline ${pipelinePath}, ${items.length} held-out utterances, language ${language || 'detected'}`, '',
  '| backend | decoding | WER | voice | voice+speed | speed | sentences right | same as torch greedy | seconds (per utterance) |', '|---|---|---|---|---|---|---|---|---|'];
for (const backend of backends) {
  for (const numBeams of beams) {
    const t0 = performance.now();
    const per = [];
    const groups = {};
    let errs = 0;
    let words = 0;
    let right = 0;
    let same = 0;
    const its = numBeams > 1 && beamLimit > 0 ? items.slice(0, beamLimit) : items;
    for (const u of its) {
      const out = await pipeline.run({ audio: join(wavDir, u.file), chunkLengthS: 0, numBeams, language }, { backend });
      const hyp = String(out.text);
      const { errors, words: n } = wordErrors(u.text, hyp);
      errs += errors;
      words += n;
      if (errors === 0) right++;
      const g = (groups[u.group] ??= { errors: 0, words: 0 });
      g.errors += errors;
      g.words += n;
      const t = torchByFile.get(u.file);
      if (t !== undefined && t.trim() === hyp.trim()) same++;
      per.push({ file: u.file, ref: u.text, hyp, errors });
    }
    const secs = (performance.now() - t0) / 1000;
    const pct = (e, n) => `${((100 * e) / Math.max(n, 1)).toFixed(2)} %`;
    const dec = numBeams > 1 ? `beam ${numBeams}` : 'greedy';
    const agree = torchRef && numBeams === 1 ? `${same}/${its.length}` : '—';
    const row = `| ${backend} | ${dec} | **${pct(errs, words)}** | ${pct(groups.voice?.errors ?? 0, groups.voice?.words)} | ${pct(groups['voice+speed']?.errors ?? 0, groups['voice+speed']?.words)} | ${pct(groups.speed?.errors ?? 0, groups.speed?.words)} | ${right}/${its.length} | ${agree} | ${secs.toFixed(1)} (${(secs / its.length).toFixed(3)}) |`;
    lines.push(row);
    console.log(row);
    results.push({ backend, numBeams, n: its.length, wer: errs / words, errors: errs, words, sentencesRight: right, sameAsTorch: torchRef && numBeams === 1 ? same : null, seconds: secs, groups, utterances: per });
  }
}
if (torchRef) lines.push('', `torch greedy (torch_decode.py, ${torchRef.utterances.length} utterances): WER ${(100 * torchRef.wer).toFixed(2)} %`);
writeFileSync(`${outBase}.json`, JSON.stringify({ modelDir: resolve(modelDir), pipeline: pipelinePath, language, results }, null, 1));
writeFileSync(`${outBase}.txt`, lines.join('\n') + '\n');
console.log(lines.slice(0, 2).join('\n'));
