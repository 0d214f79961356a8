// `onnxflow run | inspect | validate` for pipelines. Exit codes: 0 ok, 1 run failure, 2 invalid pipeline or input.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, PipelineError, describePipeline, loadPipeline, renderMermaid, renderText, type Pipeline } from '../index.js';
import { renderSvg } from '../pipeline/render-svg.js';
import { emitOutputs } from './outputs.js';
import { attachProgress } from './progress.js';
import { attachTrace, traceTable } from './trace.js';

async function load(file: string, modelDir?: string): Promise<Pipeline> {
  try {
    return await loadPipeline(file, { modelDir });
  } catch (e) {
    if (e instanceof PipelineError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

/** `--input k=v` pairs and bare `--k v` flags (any pipeline input) to an object. */
function parseInputs(pairs: string[], rest: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new InputError(`--input expects key=value, got '${p}'`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) throw new InputError(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else {
      const v = rest[i + 1];
      if (v === undefined || v.startsWith('--')) out[a.slice(2)] = 'true';
      else { out[a.slice(2)] = v; i++; }
    }
  }
  return out;
}

/** Whether `e` or an error it wraps (a stage's failure has its cause) is bad input: exit code 2, not 1. */
function causedByInput(e: unknown): boolean {
  for (let c = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) if (c instanceof InputError) return true;
  return false;
}

export function registerPipelineCommands(program: Command): void {
  program
    .command('run')
    .description('run a pipeline; pipeline inputs as --NAME VALUE or --input NAME=VALUE')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('-i, --input <key=value>', 'a pipeline input (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--model-dir <dir>', 'folder the pipeline\'s model paths resolve against (e.g. your optimum export), or builtin:NAME (`onnxflow models` lists them)')
    .option('--backend <name>', 'run every model on this backend')
    .option('--precision <p>', 'fp32, or bf16 (native backend: weights in bfloat16, half the memory traffic)')
    .option('--concurrency <n>', 'stages run at once', '2')
    .option('-o, --out <file>', 'write images (PNG) or all outputs (.json)')
    .option('--trace', 'print every stage with its inputs, outputs (dtype, shape) and time')
    .option('--trace-out <file>', 'write the trace as JSON')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (file: string, opts: { input: string[]; modelDir?: string; backend?: string; precision?: string; concurrency: string; out?: string; trace?: boolean; traceOut?: string }, cmd: Command) => {
      const p = await load(file, opts.modelDir);
      let inputs: Record<string, string>;
      try {
        inputs = parseInputs(opts.input, cmd.args.slice(1));
      } catch (e) {
        console.error(`onnxflow: ${(e as Error).message}`);
        process.exit(2);
      }
      const trace = opts.trace || opts.traceOut ? attachTrace(p) : undefined;
      const stopProgress = attachProgress(p);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      const t0 = performance.now();
      let outputs: Record<string, unknown>;
      try {
        if (opts.precision !== undefined && opts.precision !== 'fp32' && opts.precision !== 'bf16') {
          throw new InputError(`--precision must be fp32 or bf16, got ${JSON.stringify(opts.precision)}`);
        }
        outputs = await p.run(inputs, { backend: opts.backend, precision: opts.precision, concurrency: Number(opts.concurrency), signal: ac.signal });
      } catch (e) {
        stopProgress();
        console.error(`onnxflow: ${(e as Error).message}`);
        process.exit(causedByInput(e) ? 2 : 1);
      }
      stopProgress();
      await emitOutputs(outputs, opts.out);
      console.error(`done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      if (trace && opts.trace) console.log(`\n${traceTable(trace)}`);
      if (trace && opts.traceOut) writeFileSync(opts.traceOut, JSON.stringify(trace, null, 1));
    });

  program
    .command('inspect')
    .description('print a pipeline\'s DAG: stages, what flows between them, types and shapes')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('-f, --format <format>', 'text | mermaid | svg | json', 'text')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--model-dir <dir>', 'folder the pipeline\'s model paths resolve against')
    .action(async (file: string, opts: { format: string; out?: string; modelDir?: string }) => {
      const d = describePipeline((await load(file, opts.modelDir)).compiled);
      const render: Record<string, () => string> = {
        text: () => renderText(d),
        mermaid: () => renderMermaid(d),
        svg: () => renderSvg(d),
        json: () => JSON.stringify(d, null, 2) + '\n',
      };
      const r = render[opts.format];
      if (!r) {
        console.error(`onnxflow: unknown format '${opts.format}'; formats: ${Object.keys(render).join(', ')}`);
        process.exit(2);
      }
      if (opts.out) writeFileSync(opts.out, r());
      else process.stdout.write(r());
    });

  program
    .command('validate')
    .description('check a pipeline without running it; prints every problem as file:line:col; exit 2 if invalid')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--model-dir <dir>', 'folder the pipeline\'s model paths resolve against')
    .action(async (file: string, opts: { modelDir?: string }) => {
      const p = await load(file, opts.modelDir);
      console.log(`${file}: ok (${p.stageIds().length} stages)`);
    });
}
