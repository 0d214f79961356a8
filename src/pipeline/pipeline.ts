// Pipeline: compile once (loadPipeline), run many (pipeline.run), observe (hooks), intercept.

import { resolve } from 'node:path';
import PQueue from 'p-queue';
import { Tensor } from '../ir/tensor.js';
import { InputError } from '../errors.js';
import { compilePipeline, type CompiledPipeline } from './compile.js';
import { Hooks } from './hooks.js';
import { Env, runBlock, type Interceptor } from './runner.js';
import { readPipelineFile } from './source.js';
import { toTensor } from './kinds/onnx.js';
import type { CompiledStage } from './stage-kinds.js';
import type { InputSpec, PipelineSpec, StageSpec } from './types.js';

/** Options of a run; any other key is a pipeline input (`{ steps: 20, seed: 42 }`). */
export interface RunOptions {
  signal?: AbortSignal;
  /** Stages run at once (default: 2). */
  concurrency?: number;
  /** Run every model on this backend. */
  backend?: string;
  /** Every model's session precision ('fp32' or 'bf16': SessionOptions.precision), over the YAML's model options. */
  precision?: 'fp32' | 'bf16';
  [input: string]: unknown;
}

export interface LoadOptions {
  /** Folder model paths resolve against, overriding the YAML's `modelDir`. */
  modelDir?: string;
}

const RUN_KEYS = new Set(['signal', 'concurrency', 'backend', 'precision']);

/** A pipeline defined in TypeScript; compiles to the same DAG as its YAML twin. */
export function definePipeline<S extends PipelineSpec | (Omit<PipelineSpec, 'inputs' | 'models'> & Partial<Pick<PipelineSpec, 'inputs' | 'models'>>)>(spec: S): S {
  return spec;
}

export type { StageSpec };

function coerceInput(name: string, spec: InputSpec, v: unknown): unknown {
  const bad = (want: string) => new InputError(`pipeline input '${name}' expects ${want}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  switch (spec.type) {
    case 'text':
      if (typeof v !== 'string') throw bad('text');
      return v;
    case 'int': case 'seed': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad('an integer');
      return n;
    }
    case 'float': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'bool':
      if (v === 'true' || v === true) return true;
      if (v === 'false' || v === false) return false;
      throw bad('true or false');
    case 'tensor': {
      const t = v instanceof Tensor ? v : toTensor(typeof v === 'string' ? JSON.parse(v) : v, spec.dtype, `pipeline input '${name}'`);
      if (spec.dtype && t.type !== spec.dtype) throw new InputError(`pipeline input '${name}' expects dtype ${spec.dtype}, got ${t.type}`);
      if (spec.shape && (t.dims.length !== spec.shape.length || spec.shape.some((d, i) => typeof d === 'number' && d !== t.dims[i]))) {
        throw new InputError(`pipeline input '${name}' expects shape [${spec.shape.map((d) => d ?? '?').join(',')}], got [${t.dims.join(',')}]`);
      }
      return t;
    }
    default:
      return v;
  }
}

export class Pipeline {
  readonly hooks = new Hooks();
  private readonly interceptors = new Map<string, Interceptor>();

  constructor(readonly compiled: CompiledPipeline) {}

  get name(): string {
    return this.compiled.spec.name;
  }

  /** Declared inputs in order (the first is the positional input of run()). */
  get inputs(): string[] {
    return Object.keys(this.compiled.inputs);
  }

  /** Every stage, loop bodies included, as `loop/stage` ids. */
  stageIds(): string[] {
    const out: string[] = [];
    const walk = (stages: CompiledStage[]) => {
      for (const s of stages) {
        out.push(s.id);
        if (s.loop) walk(s.loop.block.stages);
      }
    };
    walk(this.compiled.block.stages);
    return out;
  }

  /** Replace or wrap a stage by id (`denoise/unet`) or by name (`unet`). */
  intercept(stage: string, fn: Interceptor): this {
    const ids = this.stageIds();
    if (!ids.includes(stage) && !ids.some((id) => id.split('/').pop() === stage)) {
      throw new InputError(`no stage '${stage}' to intercept; stages: ${ids.join(', ')}`);
    }
    this.interceptors.set(stage, fn);
    return this;
  }

  /** Run with `input` bound to the first declared input (or an object of named inputs), plus options. */
  async run(input?: unknown, options: RunOptions = {}): Promise<Record<string, unknown>> {
    const named: Record<string, unknown> = {};
    const decl = this.compiled.inputs;
    const names = Object.keys(decl);
    const isRecord = input !== null && typeof input === 'object' && !(input instanceof Tensor) && !Array.isArray(input) && !ArrayBuffer.isView(input);
    if (isRecord) Object.assign(named, input);
    else if (input !== undefined) {
      if (!names.length) throw new InputError(`pipeline '${this.name}' takes no inputs`);
      named[names[0]!] = input;
    }
    for (const [k, v] of Object.entries(options)) if (!RUN_KEYS.has(k)) named[k] = v;
    const env = new Env();
    const missing: string[] = [];
    for (const k of Object.keys(named)) {
      if (!(k in decl)) throw new InputError(`pipeline '${this.name}' has no input '${k}'; inputs: ${names.join(', ') || '(none)'}`);
    }
    for (const [k, spec] of Object.entries(decl)) {
      const v = named[k] ?? spec.default;
      if (v === undefined) { missing.push(`'${k}' (${spec.type})`); continue; }
      env.set(`inputs.${k}`, coerceInput(k, spec, v));
    }
    if (missing.length) throw new InputError(`pipeline '${this.name}' is missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    options.signal?.throwIfAborted();
    const queue = new PQueue({ concurrency: Math.max(1, options.concurrency ?? 2) });
    await runBlock(this.compiled.block, env, {
      pipeline: this.compiled, hooks: this.hooks, interceptors: this.interceptors, queue,
      signal: options.signal, backend: options.backend, precision: options.precision,
    });
    const out: Record<string, unknown> = {};
    for (const [k, b] of Object.entries(this.compiled.outputs)) out[k] = 'ref' in b ? env.get(b.ref) : b.literal;
    return out;
  }
}

/** Compile a pipeline from a YAML path or a definition; every problem is reported at once. */
export async function loadPipeline(source: string | PipelineSpec | object, opts: LoadOptions = {}): Promise<Pipeline> {
  if (typeof source === 'string') {
    const file = resolve(source);
    const src = readPipelineFile(file);
    return new Pipeline(await compilePipeline(src.data, { file: source, locate: src.locate, modelDir: opts.modelDir }));
  }
  return new Pipeline(await compilePipeline(source, { modelDir: opts.modelDir }));
}

/** Load (once per path and model folder) and run. */
const loaded = new Map<string, Promise<Pipeline>>();

export async function runPipeline(source: string | PipelineSpec | object, input?: unknown, options: RunOptions & LoadOptions = {}): Promise<Record<string, unknown>> {
  const { modelDir, ...run } = options;
  let p: Promise<Pipeline>;
  if (typeof source === 'string') {
    const key = JSON.stringify([resolve(source), modelDir ?? '']);
    p = loaded.get(key) ?? loadPipeline(source, { modelDir });
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  } else p = loadPipeline(source, { modelDir });
  return (await p).run(input, run);
}
