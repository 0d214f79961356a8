// Runs a compiled pipeline: each block is a DAG whose independent stages run concurrently under a
// p-queue; loops run their body once per step with carried state. Checks the AbortSignal between
// stages and steps, emits hooks, and applies interceptors.

import PQueue from 'p-queue';
import { Tensor } from '../ir/tensor.js';
import { toNumbers } from '../ir/tensor-data.js';
import { extractModel } from '../onnx/extract.js';
import type { InferenceSession } from '../engine/session.js';
import type { CompiledPipeline } from './compile.js';
import { StageError } from './diagnostics.js';
import type { Hooks, PortInfo } from './hooks.js';
import { sessionFor } from './sessions.js';
import type { CompiledBinding, CompiledBlock, CompiledStage, StageRunContext } from './stage-kinds.js';
import { describeValue } from './value-types.js';

/** Replace or wrap a stage: call `next(inputs)` to run the original. */
export type Interceptor = (
  inputs: Record<string, unknown>,
  next: (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>,
  info: { stage: string; kind: string; steps: number[] },
) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface RunContext {
  pipeline: CompiledPipeline;
  hooks: Hooks;
  interceptors: Map<string, Interceptor>;
  queue: PQueue;
  signal?: AbortSignal;
  /** Overrides every model's backend. */
  backend?: string;
  /** Overrides every model's session precision. */
  precision?: 'fp32' | 'bf16';
}

/** Values by reference, falling back to enclosing scopes (loop bodies see the outer values). */
class Env {
  private readonly values = new Map<string, unknown>();
  constructor(private readonly parent?: Env) {}
  set(ref: string, v: unknown): void { this.values.set(ref, v); }
  get(ref: string): unknown {
    for (let e: Env | undefined = this; e; e = e.parent) if (e.values.has(ref)) return e.values.get(ref);
    throw new Error(`value '${ref}' is not available`);
  }
}

function resolveBinding(b: CompiledBinding, env: Env): unknown {
  return 'ref' in b ? env.get(b.ref) : b.literal;
}

function ports(values: Record<string, unknown>, bindings?: Record<string, CompiledBinding>): PortInfo[] {
  return Object.entries(values).map(([name, v]) => {
    const b = bindings?.[name];
    return { name, ref: b && 'ref' in b ? b.ref : undefined, ...describeValue(v) };
  });
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('The pipeline run was aborted', 'AbortError');
}

function sessionGetter(rc: RunContext): StageRunContext['session'] {
  return (name, extract) => {
    const m = rc.pipeline.models.get(name);
    if (!m) return Promise.reject(new Error(`unknown model '${name}'`));
    return sessionFor(
      {
        path: m.path, backend: rc.backend ?? m.backend, options: rc.precision ? { ...m.options, precision: rc.precision } : m.options,
        variant: extract ? JSON.stringify(extract) : undefined,
      },
      extract ? (model) => extractModel(model, extract.inputs, extract.outputs) : undefined,
    ) as Promise<InferenceSession>;
  };
}

async function runLeaf(stage: CompiledStage, env: Env, rc: RunContext, steps: number[]): Promise<void> {
  let inputs: Record<string, unknown> = {};
  for (const [k, b] of Object.entries(stage.inputs)) inputs[k] = resolveBinding(b, env);
  if (stage.prepare) {
    try {
      inputs = stage.prepare(inputs);
    } catch (e) {
      throw new StageError(stage.id, (e as Error)?.message ?? String(e), { cause: e });
    }
  }
  const wantHooks = rc.hooks.has('stage:before') || rc.hooks.has('stage:after');
  const base = { stage: stage.id, kind: stage.kind, steps };
  const inPorts = wantHooks ? ports(inputs, stage.inputs) : [];
  if (rc.hooks.has('stage:before')) rc.hooks.emit('stage:before', { ...base, inputs: inPorts });
  const sctx: StageRunContext = {
    stage: stage.id,
    signal: rc.signal,
    progress: (step, total) => rc.hooks.emit('progress', { stage: stage.id, step, total }),
    session: sessionGetter(rc),
  };
  const original = async (x: Record<string, unknown>) => stage.run!(x, sctx);
  const icpt = rc.interceptors.get(stage.id) ?? rc.interceptors.get(stage.name);
  const t0 = performance.now();
  let outputs: Record<string, unknown>;
  try {
    outputs = await rc.queue.add(async () => {
      throwIfAborted(rc.signal);
      return icpt ? icpt(inputs, original, base) : original(inputs);
    }) as Record<string, unknown>;
  } catch (e) {
    if ((e as Error)?.name === 'AbortError' || e instanceof StageError) throw e;
    throw new StageError(stage.id, (e as Error)?.message ?? String(e), { cause: e });
  }
  const ms = performance.now() - t0;
  for (const k of Object.keys(stage.outputs)) {
    if (!(k in outputs)) throw new StageError(stage.id, `produced no output '${k}' (it returned: ${Object.keys(outputs).join(', ') || 'nothing'})`);
  }
  for (const [k, v] of Object.entries(outputs)) env.set(`${stage.name}.${k}`, v);
  if (rc.hooks.has('stage:after')) rc.hooks.emit('stage:after', { ...base, inputs: inPorts, outputs: ports(outputs), ms });
}

function truthy(v: unknown): boolean {
  if (v instanceof Tensor) return v.size > 0 && toNumbers(v).every((x) => x !== 0);
  return Boolean(v);
}

async function runLoop(stage: CompiledStage, env: Env, rc: RunContext, steps: number[]): Promise<void> {
  const loop = stage.loop!;
  let items: unknown[] | undefined;
  let total: number | undefined;
  if (loop.over) {
    const v = resolveBinding(loop.over, env);
    if (v instanceof Tensor) {
      const n = v.dims[0] ?? 0;
      const inner = v.dims.slice(1);
      const per = inner.reduce((a, b) => a * b, 1);
      items = Array.from({ length: n }, (_, i) => new Tensor(v.type, (v.data as Float32Array).slice(i * per, (i + 1) * per) as never, inner));
    } else if (Array.isArray(v)) items = v;
    else throw new StageError(stage.id, `'over' must be a tensor or a list, got ${describeValue(v).dtype}`);
    total = items.length;
  } else if (loop.count) {
    const c = resolveBinding(loop.count, env);
    const n = c instanceof Tensor ? toNumbers(c)[0]! : Number(c);
    if (!Number.isInteger(n) || n < 0) throw new StageError(stage.id, `count must be a non-negative integer, got ${String(c)}`);
    total = n;
  }
  const state = new Map<string, unknown>();
  for (const [k, b] of Object.entries(loop.state)) state.set(k, resolveBinding(b, env));
  const maxSteps = typeof loop.maxSteps === 'number' ? loop.maxSteps : Number(resolveBinding(loop.maxSteps, env));
  if (!Number.isInteger(maxSteps) || maxSteps < 0) throw new StageError(stage.id, `maxSteps must be a non-negative integer, got ${maxSteps}`);
  const limit = total ?? maxSteps;
  let i = 0;
  for (; i < limit; i++) {
    throwIfAborted(rc.signal);
    const t0 = performance.now();
    const body = new Env(env);
    for (const [k, v] of state) body.set(`${stage.name}.${k}`, v);
    body.set(`${stage.name}.index`, i);
    body.set(`${stage.name}.total`, total ?? maxSteps);
    if (items) body.set(`${stage.name}.item`, items[i]);
    await runBlock(loop.block, body, rc, [...steps, i]);
    for (const [k, b] of Object.entries(loop.update)) state.set(k, resolveBinding(b, body));
    rc.hooks.emit('step', { loop: stage.id, index: i, total, ms: performance.now() - t0 });
    if (loop.until && truthy(resolveBinding(loop.until, body))) { i++; break; }
  }
  if (loop.until && total === undefined && i >= maxSteps && !loop.stopAtMax) {
    throw new StageError(stage.id, `reached maxSteps (${maxSteps}) before 'until' became true`);
  }
  for (const [k, v] of state) env.set(`${stage.name}.${k}`, v);
}

/** Run a block's DAG: each stage starts when the stages it reads from are done. */
export async function runBlock(block: CompiledBlock, env: Env, rc: RunContext, steps: number[] = []): Promise<void> {
  const done = new Map<string, Promise<void>>();
  const failed = new AbortController();
  for (const stage of block.stages) {
    const p = (async () => {
      await Promise.all(stage.deps.map((d) => done.get(d)));
      if (failed.signal.aborted) return;
      throwIfAborted(rc.signal);
      if (stage.loop) await runLoop(stage, env, rc, steps);
      else await runLeaf(stage, env, rc, steps);
    })();
    p.catch(() => failed.abort());
    done.set(stage.name, p);
  }
  const results = await Promise.allSettled(done.values());
  const err = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (err) throw err.reason;
}

export { Env };
