// `kind: onnx`: run a model (or a subgraph cut between named tensors) from the pipeline's `models`.

import { z } from 'zod';
import type { Model, TypeInfo } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { isBigIntType, type DataType } from '../../ir/dtype.js';
import { fromFloats, toNumbers } from '../../ir/tensor-data.js';
import { inferShapes, type ShapeInfo } from '../../ir/shape/infer.js';
import { extractModel } from '../../onnx/extract.js';
import { bindingsSchema } from '../schema.js';
import { bindingRefs, registerStageKind, type CompiledBinding } from '../stage-kinds.js';
import type { ValueType } from '../types.js';

const schema = z.strictObject({
  kind: z.literal('onnx'),
  model: z.string().min(1),
  description: z.string().optional(),
  /** Model input name → value. */
  inputs: bindingsSchema.default({}),
  /** Run only the part of the model between these tensors. */
  extract: z.strictObject({ inputs: z.array(z.string()).min(1), outputs: z.array(z.string()).min(1) }).optional(),
  /**
   * Extra names for model outputs: `{ encoded: latent_sample }`, or a list to take the first output
   * the model has (`[latent_parameters, latent_sample]`), so one YAML fits several exporter versions.
   */
  outputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
});
type OnnxStage = z.infer<typeof schema>;

/** `past_key_values.*` → a regex whose group 1 is what `*` stands for. */
function globRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('(.+)')}$`);
}

function tensorType(t: TypeInfo | undefined): ValueType {
  return t?.kind === 'tensor' ? { kind: 'tensor', dtype: t.elemType, shape: t.shape } : { kind: 'any' };
}

/**
 * A value fed to a model input: numbers, bools and arrays become tensors of the input's dtype; a
 * scalar fed to an input of rank k becomes shape [1,...,1] (e.g. a UNet `timestep` declared [1]);
 * numeric tensors of another dtype are converted (int64 token ids into an int32 input, say).
 */
export function feedFor(v: unknown, dtype: DataType | undefined, rank: number | undefined, what: string): Tensor {
  let t = toTensor(v, dtype, what);
  if (dtype && t.type !== dtype) {
    if (t.type === 'string' || dtype === 'string') throw new Error(`${what}: cannot convert ${t.type} to ${dtype}`);
    t = isBigIntType(dtype) ? new Tensor(dtype, toNumbers(t).map((x) => BigInt(Math.trunc(x))), t.dims) : fromFloats(dtype, toNumbers(t), t.dims);
  }
  if (rank !== undefined && rank > 0 && t.dims.length === 0) t = t.reshape(new Array<number>(rank).fill(1));
  return t;
}

/** Numbers, bools and arrays fed to a model become tensors of the input's dtype. */
export function toTensor(v: unknown, dtype: DataType | undefined, what: string): Tensor {
  if (v instanceof Tensor) return v;
  const type: DataType = dtype ?? 'float32';
  const flat: unknown[] = [];
  const dims: number[] = [];
  const walk = (x: unknown, depth: number) => {
    if (Array.isArray(x)) {
      if (dims.length === depth) dims.push(x.length);
      for (const y of x) walk(y, depth + 1);
    } else flat.push(x);
  };
  walk(v, 0);
  if (flat.some((x) => typeof x !== 'number' && typeof x !== 'boolean' && typeof x !== 'bigint')) throw new Error(`${what}: cannot make a ${type} tensor from ${JSON.stringify(v)}`);
  const data = isBigIntType(type) ? flat.map((x) => BigInt(x as number)) : flat.map(Number);
  return new Tensor(type, data as number[], dims);
}

registerStageKind<OnnxStage>({
  name: 'onnx',
  schema: schema as z.ZodType<OnnxStage>,
  refs: (s) => bindingRefs(s.inputs),
  async compile(s, ctx) {
    const loaded = await ctx.model(s.model, [...ctx.path, 'model']);
    let model: Model | undefined = loaded?.model;
    if (model && s.extract) {
      try {
        model = extractModel(model, s.extract.inputs, s.extract.outputs);
      } catch (e) {
        ctx.sink.error([...ctx.path, 'extract'], `${ctx.id}: ${(e as Error).message}`);
        model = undefined;
      }
    }
    const inputs: Record<string, CompiledBinding> = {};
    if (!model) {
      for (const [k, b] of Object.entries(s.inputs)) inputs[k] = ctx.bind(b, undefined, [...ctx.path, 'inputs', k], `input '${k}'`);
      return { inputs, outputs: {}, detail: s.model, partial: true };
    }
    const g = model.graph;
    const modelInputs = g.inputs.filter((i) => !g.initializers.has(i.name));
    const names = modelInputs.map((i) => i.name);
    // Pattern bindings: `"past_key_values.*": cache.past` feeds every matching model input from a
    // record keyed by what `*` matched (`0.decoder.key`, ...), whatever the number of layers.
    const patterns = new Map<string, { re: RegExp; matched: string[] }>();
    for (const [k, b] of Object.entries(s.inputs)) {
      if (!k.includes('*')) continue;
      const re = globRegex(k);
      const matched = names.filter((n) => re.test(n));
      if (!matched.length) ctx.sink.error([...ctx.path, 'inputs', k], `${ctx.id}: no input of model '${s.model}' matches '${k}'; its inputs: ${names.join(', ')}`, true);
      patterns.set(k, { re, matched });
      inputs[k] = ctx.bind(b, { kind: 'any' }, [...ctx.path, 'inputs', k], `inputs '${k}'`);
    }
    const byPattern = new Set([...patterns.values()].flatMap((p) => p.matched));
    for (const k of Object.keys(s.inputs)) {
      if (k.includes('*')) continue;
      if (!names.includes(k) && !g.inputs.some((i) => i.name === k)) {
        ctx.sink.error([...ctx.path, 'inputs', k], `${ctx.id}: model '${s.model}' has no input '${k}'; its inputs: ${names.join(', ')}`, true);
      }
    }
    const overrides = new Map<string, ShapeInfo>();
    for (const i of modelInputs) {
      const b = s.inputs[i.name];
      if (b === undefined) {
        if (byPattern.has(i.name)) continue;
        if (i.type?.kind !== 'optional') ctx.sink.error([...ctx.path, 'inputs'], `${ctx.id}: model input '${i.name}' (${JSON.stringify(tensorType(i.type).kind === 'tensor' ? i.type : 'any')}) is not bound; bind every model input: ${names.join(', ')}`);
        continue;
      }
      const expected = tensorType(i.type);
      inputs[i.name] = ctx.bind(b, expected, [...ctx.path, 'inputs', i.name], `input '${i.name}'`);
      const t = inputs[i.name]!.type;
      if (t?.kind === 'tensor' && t.shape && expected.kind === 'tensor') overrides.set(i.name, { type: expected.dtype, shape: t.shape });
    }
    const shapes = inferShapes(model, overrides);
    const outputs: Record<string, ValueType> = {};
    for (const o of g.outputs) {
      const inferred = shapes.values.get(o.name);
      const declared = tensorType(o.type);
      outputs[o.name] = inferred?.shape || inferred?.type
        ? { kind: 'tensor', dtype: inferred.type ?? (declared.kind === 'tensor' ? declared.dtype : undefined), shape: inferred.shape ?? (declared.kind === 'tensor' ? declared.shape : undefined) }
        : declared;
    }
    const aliases: Record<string, string> = {};
    const outPatterns = new Map<string, RegExp>();
    for (const [alias, names] of Object.entries(s.outputs ?? {})) {
      if (typeof names === 'string' && names.includes('*')) {
        const re = globRegex(names);
        if (!Object.keys(outputs).some((o) => re.test(o))) ctx.sink.error([...ctx.path, 'outputs', alias], `${ctx.id}: no output of model '${s.model}' matches '${names}'; its outputs: ${Object.keys(outputs).join(', ')}`);
        outPatterns.set(alias, re);
        continue;
      }
      const list = typeof names === 'string' ? [names] : names;
      const found = list.find((n) => n in outputs);
      if (!found) ctx.sink.error([...ctx.path, 'outputs', alias], `${ctx.id}: model '${s.model}' has none of the outputs ${list.join(', ')}; its outputs: ${Object.keys(outputs).join(', ')}`);
      else if (alias in outputs && alias !== found) ctx.sink.error([...ctx.path, 'outputs', alias], `${ctx.id}: '${alias}' is already a model output`, true);
      else aliases[alias] = found;
    }
    for (const [alias, name] of Object.entries(aliases)) outputs[alias] = outputs[name]!;
    for (const alias of outPatterns.keys()) outputs[alias] = { kind: 'any' };
    const dtypes = new Map(modelInputs.map((i) => [i.name, i.type?.kind === 'tensor' ? i.type.elemType : undefined]));
    const ranks = new Map(modelInputs.map((i) => [i.name, i.type?.kind === 'tensor' ? i.type.shape?.length : undefined]));
    const extract = s.extract;
    return {
      inputs,
      outputs,
      detail: `model ${s.model}${extract ? ` [${extract.inputs.join(',')} → ${extract.outputs.join(',')}]` : ''}`,
      prepare: (values) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(values)) out[k] = patterns.has(k) ? v : feedFor(v, dtypes.get(k), ranks.get(k), `input '${k}'`);
        return out;
      },
      run: async (values, rc) => {
        const session = await rc.session(s.model, extract);
        const feeds: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(values)) {
          const pattern = patterns.get(k);
          if (!pattern) {
            feeds[k] = feedFor(v, dtypes.get(k), ranks.get(k), `input '${k}'`);
            continue;
          }
          const record = (v instanceof Map ? Object.fromEntries(v) : v) as Record<string, unknown> | null;
          if (!record || typeof record !== 'object') throw new Error(`inputs '${k}' must be a record of tensors keyed by what '*' matches`);
          for (const name of pattern.matched) {
            const key = pattern.re.exec(name)![1]!;
            if (!(key in record)) throw new Error(`inputs '${k}': the record has no entry '${key}' for model input '${name}' (entries: ${Object.keys(record).join(', ') || 'none'})`);
            feeds[name] = feedFor(record[key], dtypes.get(name), ranks.get(name), `input '${name}'`);
          }
        }
        const out = (await session.run(feeds)) as Record<string, unknown>;
        for (const [alias, name] of Object.entries(aliases)) out[alias] = out[name];
        for (const [alias, re] of outPatterns) {
          const rec: Record<string, unknown> = {};
          for (const [name, v] of Object.entries(out)) {
            const m = re.exec(name);
            if (m) rec[m[1]!] = v;
          }
          out[alias] = rec;
        }
        return out;
      },
    };
  },
});

export { extractModel };
