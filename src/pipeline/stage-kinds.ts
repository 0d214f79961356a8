// Stage kinds: `onnx`, `component`, `loop` are built in; `registerStageKind` adds yours.

import type { z } from 'zod';
import type { Model } from '../ir/graph.js';
import type { InferenceSession } from '../engine/session.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { Binding, SpecPath, ValueType } from './types.js';

/** A resolved stage input: a value reference or a literal, with its static type when known. */
export type CompiledBinding =
  | { ref: string; type?: ValueType }
  | { literal: unknown; type?: ValueType };

/** Everything a stage can read while running. */
export interface StageRunContext {
  /** `loop/stage` path of the running stage. */
  readonly stage: string;
  readonly signal?: AbortSignal;
  /** Report progress inside a long stage (shown by the CLI). */
  progress(step: number, total?: number): void;
  /** The session for a model of the pipeline's `models` (cached across runs and pipelines). */
  session(model: string, extract?: { inputs: string[]; outputs: string[] }): Promise<InferenceSession>;
}

export type StageRun = (inputs: Record<string, unknown>, ctx: StageRunContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** What compiling one stage yields. Leaf stages have `run`; loops have `loop`. */
export interface StageBody {
  /** Port name → binding, for the DAG and for hooks. */
  inputs: Record<string, CompiledBinding>;
  outputs: Record<string, ValueType>;
  run?: StageRun;
  /**
   * Converts the resolved inputs into what `run` is called with (an onnx stage: a number into the
   * model input's float32 scalar tensor, int64 ids into int32, ...), so hooks and interceptors see
   * exactly what the stage receives.
   */
  prepare?: (inputs: Record<string, unknown>) => Record<string, unknown>;
  loop?: LoopInfo;
  /** Shown by `inspect` (model path, component name, ...). */
  detail?: string;
  /** Set when an error (already reported) left the outputs unknown: readers are then not flagged. */
  partial?: boolean;
}

export interface LoopInfo {
  count?: CompiledBinding;
  over?: CompiledBinding;
  /** Ref (in body scope) of a bool that ends the loop after the step that produced true. */
  until?: CompiledBinding;
  maxSteps: number | CompiledBinding;
  /** Reaching maxSteps ends the loop normally instead of failing it. */
  stopAtMax?: boolean;
  state: Record<string, CompiledBinding>;
  update: Record<string, CompiledBinding>;
  block: CompiledBlock;
}

export interface CompiledStage extends StageBody {
  name: string;
  /** Full path, `loop/stage` for stages in loop bodies. */
  id: string;
  kind: string;
  specPath: SpecPath;
  /** Sibling stages this one waits for. */
  deps: string[];
}

export interface CompiledBlock {
  stages: CompiledStage[];
}

export interface StageCompileContext {
  readonly name: string;
  readonly id: string;
  readonly path: SpecPath;
  readonly sink: DiagnosticSink;
  /** Resolve a binding in the stage's scope and check it against `expected`. */
  bind(binding: Binding, expected: ValueType | undefined, path: SpecPath, what: string): CompiledBinding;
  /** Compile nested stages (a loop body) with extra values in scope; `bind` resolves in that scope. */
  compileBlock(stages: Record<string, unknown>, path: SpecPath, extra: Map<string, ValueType>, owner: string): Promise<{ block: CompiledBlock; bind: StageCompileContext['bind'] }>;
  /** Folder relative paths in stage config resolve against (the model folder). */
  readonly baseDir: string;
  /** The decoded model named in the pipeline's `models` (undefined after reporting an error). */
  model(name: string, path: SpecPath): Promise<{ model: Model; key: string } | undefined>;
  /** Look up a static type of a ref without reporting errors. */
  typeOf(ref: string): ValueType | undefined;
}

export interface StageKind<S = Record<string, unknown>> {
  name: string;
  /** Validates the whole stage object, `kind` included; use z.strictObject so typos are reported. */
  schema: z.ZodType<S>;
  /** Every ref the stage reads from outside itself (for ordering and cycle checks). */
  refs(spec: S): string[];
  compile(spec: S, ctx: StageCompileContext): StageBody | Promise<StageBody>;
}

const kinds = new Map<string, StageKind<never>>();

export function registerStageKind<S>(kind: StageKind<S>): void {
  if (kinds.has(kind.name)) throw new Error(`stage kind '${kind.name}' is already registered`);
  kinds.set(kind.name, kind as unknown as StageKind<never>);
}

export function getStageKind(name: string): StageKind<Record<string, unknown>> | undefined {
  return kinds.get(name) as StageKind<Record<string, unknown>> | undefined;
}

export function stageKindNames(): string[] {
  return [...kinds.keys()];
}

/** Refs read by a bindings map (strings are refs; numbers, bools and `{value}` are literals). */
export function bindingRefs(bindings: Record<string, Binding> | undefined): string[] {
  return Object.values(bindings ?? {}).filter((b): b is string => typeof b === 'string');
}
