// Compile a pipeline spec into a DAG of stages: validate every stage, resolve every reference,
// check types and statically known shapes, order stages, and report all problems at once.

import { dirname, resolve } from 'node:path';
import type { Model } from '../ir/graph.js';
import { DiagnosticSink, type Locator } from './diagnostics.js';
import { parsePipelineSpec, stageBaseSchema, validate } from './schema.js';
import { getStageKind, stageKindNames, type CompiledBinding, type CompiledBlock, type CompiledStage, type StageCompileContext } from './stage-kinds.js';
import { loadModelCached } from './sessions.js';
import { resolveModelSource } from './model-sources.js';
import { inputValueType, type Binding, type InputSpec, type PipelineSpec, type SpecPath, type ValueType } from './types.js';
import { literalType, mismatch } from './value-types.js';
import './kinds/index.js';

export interface CompileOptions {
  /** Source file, for messages and relative model paths. */
  file?: string;
  locate?: Locator;
  /** Folder model paths resolve against (default: the YAML's folder, or its `modelDir`). */
  modelDir?: string;
}

export interface CompiledModel {
  name: string;
  path: string;
  backend: string;
  options: Record<string, unknown>;
}

export interface CompiledPipeline {
  spec: PipelineSpec;
  file?: string;
  inputs: Record<string, InputSpec & { valueType: ValueType }>;
  models: Map<string, CompiledModel>;
  block: CompiledBlock;
  outputs: Record<string, CompiledBinding>;
}

/** Values visible to a block: pipeline inputs, enclosing scopes, and sibling stage outputs. */
class Scope {
  readonly vars = new Map<string, ValueType>();
  /** head (stage or loop name) → its output names, for messages. */
  readonly heads = new Map<string, string[] | 'unknown'>();
  constructor(readonly parent?: Scope) {}

  lookup(ref: string): ValueType | 'unknown' | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const t = s.vars.get(ref);
      if (t) return t;
      const head = ref.slice(0, ref.indexOf('.'));
      if (s.heads.get(head) === 'unknown') return 'unknown';
    }
    return undefined;
  }

  head(name: string): string[] | 'unknown' | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.heads.has(name)) return s.heads.get(name);
    return undefined;
  }

  allHeads(): string[] {
    const out: string[] = [];
    for (let s: Scope | undefined = this; s; s = s.parent) out.push(...s.heads.keys());
    return out;
  }
}

function closest(name: string, options: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const best = options.map((o) => [o, dist(name, o)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, name.length / 3) ? best[0] : undefined;
}

class Compiler {
  readonly sink: DiagnosticSink;
  readonly models = new Map<string, CompiledModel>();
  readonly baseDir: string;

  constructor(readonly spec: PipelineSpec, readonly opts: CompileOptions, sink: DiagnosticSink, baseDir: string) {
    this.sink = sink;
    this.baseDir = baseDir;
    for (const [name, m] of Object.entries(spec.models)) {
      this.models.set(name, { name, path: resolve(this.baseDir, m.path), backend: m.backend ?? 'cpu', options: m.options ?? {} });
    }
  }

  bind(scope: Scope, binding: Binding, expected: ValueType | undefined, path: SpecPath, what: string): CompiledBinding {
    if (typeof binding !== 'string') {
      const value = typeof binding === 'object' ? binding.value : binding;
      const type = literalType(value);
      const why = mismatch(type, expected);
      if (why) this.sink.error(path, `${what}: literal ${JSON.stringify(value)} does not fit: ${why}`);
      return { literal: value, type: expected ?? type };
    }
    const dot = binding.indexOf('.');
    if (dot <= 0 || dot === binding.length - 1) {
      this.sink.error(path, `${what}: '${binding}' is not a reference; write 'inputs.NAME' or 'STAGE.OUTPUT' (use { value: ... } for a literal)`);
      return { ref: binding };
    }
    const found = scope.lookup(binding);
    if (found === 'unknown') return { ref: binding };
    if (!found) {
      const head = binding.slice(0, dot);
      const outs = scope.head(head);
      if (head === 'inputs') {
        const guess = closest(binding.slice(dot + 1), Object.keys(this.spec.inputs));
        this.sink.error(path, `${what}: undefined value '${binding}': the pipeline has no input '${binding.slice(dot + 1)}'${guess ? ` (did you mean 'inputs.${guess}'?)` : ''}`);
      } else if (outs && outs !== 'unknown') {
        const guess = closest(binding.slice(dot + 1), outs);
        this.sink.error(path, `${what}: undefined value '${binding}': '${head}' has no output '${binding.slice(dot + 1)}'${guess ? ` (did you mean '${head}.${guess}'?)` : ''}; its outputs: ${outs.join(', ') || '(none)'}`);
      } else {
        const guess = closest(head, scope.allHeads());
        this.sink.error(path, `${what}: undefined value '${binding}': no stage or input named '${head}'${guess ? ` (did you mean '${guess}'?)` : ''}`);
      }
      return { ref: binding };
    }
    const why = mismatch(found, expected);
    if (why) this.sink.error(path, `${what}: type mismatch: '${binding}' ${why}`);
    return { ref: binding, type: found };
  }

  async compileBlock(stagesSpec: Record<string, unknown>, path: SpecPath, scope: Scope, owner: string): Promise<CompiledBlock> {
    // 1. Validate each stage's shape with its kind's schema.
    const valid = new Map<string, { spec: Record<string, unknown>; refs: string[] }>();
    for (const [name, raw] of Object.entries(stagesSpec)) {
      const sp = [...path, name];
      const base = validate(stageBaseSchema, raw, this.sink, sp);
      if (!base) { scope.heads.set(name, 'unknown'); continue; }
      const kind = getStageKind(base.kind);
      if (!kind) {
        const guess = closest(base.kind, stageKindNames());
        this.sink.error([...sp, 'kind'], `unknown stage kind '${base.kind}'${guess ? ` (did you mean '${guess}'?)` : ''}; kinds: ${stageKindNames().join(', ')}`);
        scope.heads.set(name, 'unknown');
        continue;
      }
      const spec = validate(kind.schema, raw, this.sink, sp);
      if (!spec) { scope.heads.set(name, 'unknown'); continue; }
      valid.set(name, { spec, refs: kind.refs(spec) });
    }
    // 2. Order by dependencies between siblings; report cycles.
    const deps = new Map<string, string[]>();
    for (const [name, { refs }] of valid) {
      const d = [...new Set(refs.map((r) => r.slice(0, r.indexOf('.'))).filter((h) => h !== name && h in stagesSpec))];
      deps.set(name, d);
    }
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const cyclic = new Set<string>();
    const visit = (n: string, trail: string[]) => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(n)), n];
        if (!cycle.some((c) => cyclic.has(c))) this.sink.error([...path, n], `stages form a cycle: ${cycle.join(' → ')}`);
        cycle.forEach((c) => cyclic.add(c));
        return;
      }
      state.set(n, 'visiting');
      for (const d of deps.get(n) ?? []) if (valid.has(d)) visit(d, [...trail, n]);
      state.set(n, 'done');
      order.push(n);
    };
    for (const n of valid.keys()) visit(n, []);
    // 3. Compile in order, publishing outputs into scope.
    const stages: CompiledStage[] = [];
    for (const name of order) {
      const { spec } = valid.get(name)!;
      const kind = getStageKind(spec.kind as string)!;
      const sp = [...path, name];
      const id = owner ? `${owner}/${name}` : name;
      if (cyclic.has(name)) { scope.heads.set(name, 'unknown'); continue; }
      const ctx: StageCompileContext = {
        name, id, path: sp, sink: this.sink,
        bind: (b, expected, p, what) => this.bind(scope, b, expected, p, `${id}: ${what}`),
        compileBlock: (body, p, extra, own) => {
          const inner = new Scope(scope);
          for (const [k, t] of extra) {
            inner.vars.set(k, t);
            const head = k.slice(0, k.indexOf('.'));
            const list = inner.heads.get(head);
            inner.heads.set(head, [...(Array.isArray(list) ? list : []), k.slice(k.indexOf('.') + 1)]);
          }
          return this.compileBlock(body, p, inner, own).then((block) => ({
            block,
            bind: (b: Binding, expected: ValueType | undefined, bp: SpecPath, what: string) => this.bind(inner, b, expected, bp, `${id}: ${what}`),
          }));
        },
        baseDir: this.baseDir,
        model: (m, p) => this.model(m, p),
        typeOf: (ref) => { const t = scope.lookup(ref); return t === 'unknown' ? undefined : t; },
      };
      let body;
      try {
        body = await kind.compile(spec as never, ctx);
      } catch (e) {
        this.sink.error(sp, `${id}: ${(e as Error).message}`);
        scope.heads.set(name, 'unknown');
        continue;
      }
      scope.heads.set(name, body.partial ? 'unknown' : Object.keys(body.outputs));
      for (const [out, t] of Object.entries(body.outputs)) scope.vars.set(`${name}.${out}`, t);
      stages.push({ ...body, name, id, kind: kind.name, specPath: sp, deps: (deps.get(name) ?? []).filter((d) => valid.has(d)) });
    }
    return { stages };
  }

  async model(name: string, path: SpecPath): Promise<{ model: Model; key: string } | undefined> {
    const m = this.models.get(name);
    if (!m) {
      const guess = closest(name, [...this.models.keys()]);
      this.sink.error(path, `unknown model '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; models: ${[...this.models.keys()].join(', ') || '(none)'}`);
      return undefined;
    }
    try {
      return { model: await loadModelCached(m.path), key: m.path };
    } catch (e) {
      this.sink.error(['models', name], `cannot load model '${name}': ${(e as Error).message}`);
      return undefined;
    }
  }
}

/** Compile a pipeline definition (parsed YAML or a definePipeline object). Throws PipelineError with every problem. */
export async function compilePipeline(data: unknown, opts: CompileOptions = {}): Promise<CompiledPipeline> {
  const pre = new DiagnosticSink(opts.file, opts.locate);
  const spec = parsePipelineSpec(data, pre);
  if (!spec) {
    pre.throwIfAny();
    throw new Error('unreachable');
  }
  const yamlDir = opts.file ? dirname(resolve(opts.file)) : process.cwd();
  // The caller's modelDir (relative to the working directory) replaces the YAML's (relative to the
  // YAML file); either may name a model source, `builtin:NAME`.
  let baseDir = yamlDir;
  const dir = opts.modelDir ?? spec.modelDir;
  if (dir?.startsWith('builtin:')) {
    try {
      baseDir = await resolveModelSource(dir.slice('builtin:'.length));
    } catch (e) {
      if (opts.modelDir) throw e;
      pre.error(['modelDir'], (e as Error).message);
    }
  } else if (opts.modelDir) baseDir = resolve(opts.modelDir);
  else if (spec.modelDir) baseDir = resolve(yamlDir, spec.modelDir);
  const c = new Compiler(spec, opts, pre, baseDir);
  const root = new Scope();
  root.heads.set('inputs', Object.keys(spec.inputs));
  const inputs: CompiledPipeline['inputs'] = {};
  for (const [name, s] of Object.entries(spec.inputs)) {
    const valueType = inputValueType(s);
    root.vars.set(`inputs.${name}`, valueType);
    inputs[name] = { ...s, valueType };
  }
  const block = await c.compileBlock(spec.stages, ['stages'], root, '');
  const outputs: Record<string, CompiledBinding> = {};
  for (const [name, ref] of Object.entries(spec.outputs)) outputs[name] = c.bind(root, ref, undefined, ['outputs', name], `output '${name}'`);
  c.sink.throwIfAny();
  return { spec, file: opts.file, inputs, models: c.models, block, outputs };
}
