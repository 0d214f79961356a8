// Constant folding: a node whose inputs are all constants (initializers no graph input overrides)
// runs once, now, with the cpu backend's kernel, and its outputs become initializers (e.g. the
// Transpose of a tied embedding the Whisper decoder would otherwise redo on every run). Random ops,
// ops with subgraphs, sequence/optional ops and outputs that would grow past the inputs (and a
// size limit) are left to run time; a kernel error leaves the node alone (run time reports it).
//
// One exception keeps weights held once: a Transpose swapping the last two axes of a weight that
// something else also reads (Whisper's tied embedding: Gather reads it, proj_out's MatMul reads its
// Transpose) is not folded into a transposed copy when every reader is a product the transpose
// folding absorbs (fuse-transpose-matmul.ts): Gemm at every level (transA/transB, standard ONNX),
// MatMul / FusedGemm at extended and all (com.onnxflow FusedGemm transA/transB) when the target
// backend's FusedGemm reads a transposed B where it lies (`fusedGemmTransBInPlace`).

import type { Backend, KernelContext, Value } from '../backends/backend.js';
import { cpuKernels } from '../backends/cpu/index.js';
import { Attrs } from '../ir/attrs.js';
import type { Graph, Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { FUSED_DOMAIN, type GraphIndex, type OptimizeContext, removeNodes } from './context.js';
import { flag, lastTwoSwap } from './fuse-transpose-matmul.js';

export const NONDETERMINISTIC = new Set([
  'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout',
]);

const SKIP = new Set([
  ...NONDETERMINISTIC,
  'If', 'Loop', 'Scan', 'SequenceMap',
  'Optional', 'OptionalGetElement', 'OptionalHasElement',
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SequenceAt', 'SequenceLength',
  'SplitToSequence', 'ConcatFromSequence',
]);

/**
 * Results of large folds by first input tensor, so folding the same node twice (the two branches of
 * a merged decoder, two sessions on one model) shares one tensor instead of holding copies.
 */
const foldCache = new WeakMap<Tensor, Map<string, Tensor[]>>();
const ids = new WeakMap<Tensor, number>();
let nextId = 0;
const idOf = (t: Tensor) => { let i = ids.get(t); if (i === undefined) ids.set(t, (i = ++nextId)); return i; };

function cacheKey(n: Node, opset: number, args: (Tensor | undefined)[]): string | undefined {
  const attrs: string[] = [];
  for (const k of Object.keys(n.attrs).sort()) {
    const a = n.attrs[k]!;
    if (a.type === 'tensor' || a.type === 'tensors' || a.type === 'sparse_tensor' || a.type === 'sparse_tensors') return undefined;
    attrs.push(`${k}=${JSON.stringify(a)}`);
  }
  return `${n.domain}|${n.opType}|${opset}|${n.outputs.map((o) => (o ? 1 : 0)).join('')}|${args.map((t) => (t ? idOf(t) : '')).join(',')}|${attrs.join(';')}`;
}

const CACHE_MIN_ELEMENTS = 1 << 16;

/** Small outputs are always folded; larger ones only when no bigger than the inputs. */
const ALWAYS_FOLD_ELEMENTS = 1 << 16;

function foldable(n: Node, ctx: OptimizeContext): boolean {
  if (SKIP.has(n.opType) || n.outputs.length === 0) return false;
  if (Object.values(n.attrs).some((a) => a.type === 'graph' || a.type === 'graphs' || a.type === 'ref')) return false;
  const fnKey = (f: { domain: string; name: string }) => f.domain === n.domain && f.name === n.opType;
  if (ctx.model.functions.some(fnKey)) return false;
  return true;
}

/**
 * Whether `backend`'s FusedGemm reads a transB operand in place: every backend with a FusedGemm kernel
 * does (the cpu kernel's strided GEMM, the native backend's packing), and so does the optimizer's
 * default, the cpu kernels. A backend without FusedGemm keeps a folded transposed copy.
 */
export function fusedGemmTransBInPlace(backend: Backend | undefined): boolean {
  return backend ? !!backend.getKernel('FusedGemm', FUSED_DOMAIN, 1) : true;
}

/** How folding treats Transposes of shared weights, per optimizer context (set by optimizeModel). */
export interface FoldPolicy {
  /**
   * MatMul / FusedGemm readers count as absorbing (levels extended and all, on a backend whose
   * FusedGemm reads transB in place); Gemm readers always do.
   */
  fusedGemm: boolean;
  /** Constants that live outside the graph being optimized (an enclosing graph's, for a subgraph): always shared. */
  outer?: ReadonlySet<string>;
}

const policies = new WeakMap<OptimizeContext, FoldPolicy>();

export function setFoldPolicy(ctx: OptimizeContext, policy: FoldPolicy): void {
  policies.set(ctx, policy);
}

/**
 * Whether Transpose `t` of a constant swaps its last two axes, that constant is read elsewhere too
 * (so a folded copy would hold the weight twice) and every reader of the Transpose is a matrix
 * product the transpose folding will absorb (as transA / transB).
 */
export function transposeAbsorbed(t: Node, idx: GraphIndex, ctx: OptimizeContext, policy: FoldPolicy): boolean {
  const src = t.inputs[0];
  const out = t.outputs[0];
  if (t.opType !== 'Transpose' || t.domain !== '' || !src || !out || t.outputs.length !== 1) return false;
  const w = idx.constant(src);
  if (!w || w.type !== 'float32' || idx.graphOutputs.has(out) || idx.subgraphRefs.has(out)) return false;
  if (lastTwoSwap(idx, ctx, out) !== src) return false;
  const shared = policy.outer?.has(src) || idx.graphOutputs.has(src) || idx.subgraphRefs.has(src) || (idx.readers.get(src)?.length ?? 0) > 1;
  if (!shared) return false;
  const readers = idx.readers.get(out);
  if (!readers?.length) return false;
  const shapes = ctx.shapes();
  for (const r of readers) {
    const gemm = r.opType === 'Gemm' && r.domain === '';
    const matmul = r.opType === 'MatMul' && r.domain === '';
    const fused = r.opType === 'FusedGemm' && r.domain === FUSED_DOMAIN;
    if (gemm ? w.dims.length !== 2 : !((matmul || fused) && policy.fusedGemm && ctx.canRun('FusedGemm', FUSED_DOMAIN))) return false;
    if (!r.outputs[0] || r.inputs.length < 2) return false;
    // only as A or B (not as a Gemm's C), the other operand computed at run time (else the
    // product folds whole) and, for FusedGemm, float32 as the fusion requires
    let otherLive = false;
    for (let i = 0; i < r.inputs.length; i++) {
      const name = r.inputs[i];
      if (name === out) {
        if (i > 1 || (fused && flag(r, i === 0 ? 'transA' : 'transB'))) return false;
      } else if (i < 2 && name) {
        if (!idx.constant(name)) otherLive = true;
        if (!gemm && shapes.get(name)?.type !== 'float32') return false;
      }
    }
    if (!otherLive) return false;
  }
  return true;
}

export const foldConstants = (g: Graph, ctx: OptimizeContext): number => {
  let changes = 0;
  const folded: Node[] = [];
  const idx = ctx.index();
  const policy = policies.get(ctx);
  for (const n of g.nodes) {
    if (!foldable(n, ctx)) continue;
    if (n.outputs.some((o) => o && idx.subgraphRefs.has(o))) continue;
    if (policy && n.opType === 'Transpose' && transposeAbsorbed(n, idx, ctx, policy)) continue;
    const args: (Tensor | undefined)[] = [];
    let ok = true;
    let inElems = 0;
    for (const name of n.inputs) {
      if (!name) { args.push(undefined); continue; }
      const t = idx.constant(name);
      if (!t) { ok = false; break; }
      inElems += t.size;
      args.push(t);
    }
    if (!ok) continue;
    const opset = ctx.model.opsets.get(n.domain) ?? 1;
    const kernel = cpuKernels.get(n.opType, n.domain, opset);
    if (!kernel) continue;
    const kctx: KernelContext = {
      node: n,
      attrs: new Attrs(n),
      opset,
      outputCount: n.outputs.length,
      outputWanted: n.outputs.map((o) => o !== ''),
      runSubgraph: () => Promise.reject(new Error('no subgraphs while folding')),
    };
    const first = args.find((t): t is Tensor => !!t);
    const key = first && inElems >= CACHE_MIN_ELEMENTS ? cacheKey(n, opset, args) : undefined;
    const cached = key ? foldCache.get(first!)?.get(key) : undefined;
    if (cached) {
      n.outputs.forEach((o, i) => { if (o) g.initializers.set(o, cached[i]!); });
      folded.push(n);
      changes++;
      continue;
    }
    let outs: Value[];
    try {
      const r = kernel(args, kctx);
      if (r instanceof Promise) { r.catch(() => undefined); continue; }
      outs = r;
    } catch {
      continue;
    }
    const limit = Math.max(ALWAYS_FOLD_ELEMENTS, inElems);
    const vals: Tensor[] = [];
    let total = 0;
    for (let i = 0; i < n.outputs.length; i++) {
      if (!n.outputs[i]) continue;
      const v = outs[i];
      if (!(v instanceof Tensor)) { ok = false; break; }
      total += v.size;
      vals[i] = v;
    }
    if (!ok || total > limit || total > ctx.maxFoldElements) continue;
    n.outputs.forEach((o, i) => { if (o) g.initializers.set(o, vals[i]!); });
    if (key) {
      let m = foldCache.get(first!);
      if (!m) foldCache.set(first!, (m = new Map()));
      m.set(key, vals);
    }
    folded.push(n);
    changes++; // later nodes see these outputs as constants (the index reads initializers live)
  }
  if (folded.length) {
    removeNodes(g, folded);
    ctx.changed();
  }
  return changes;
};
