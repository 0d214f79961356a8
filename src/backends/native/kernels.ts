// Native kernels (float32) on the C++ addon: MatMul, Gemm, Conv, ConvTranspose, Attention, the optimizer's fused
// ops (com.onnxflow FusedGemm / FusedConv / FusedAttention / FusedGroupNorm / LayerNormalization /
// SkipLayerNormalization / Gelu / SiLU), Softmax / LogSoftmax, LayerNormalization,
// InstanceNormalization, MaxPool / AveragePool, Transpose and broadcasting Add / Sub / Mul / Div. Each returns a Promise (the work runs off the JS thread);
// shapes, attributes and dtypes it does not take go to the cpu kernel.

import type { KernelConfig, KernelContext, KernelFn, PrepareStep, Value } from '../backend.js';
import { Tensor } from '../../ir/tensor.js';
import { broadcastShapes, broadcastStrides } from '../cpu/util/broadcast.js';
import { optTensor, tensorAt } from '../cpu/util/tensor.js';
import { computeGeometry, readAutoPad, readPads, spatialInts } from '../cpu/kernels/conv/common.js';
import { poolGeometry } from '../cpu/kernels/conv/pool.js';
import { convTransposeGeometry } from '../cpu/kernels/conv/ConvTranspose.js';
import { NativeAct, type Conv2dGeometry, type NativeAddon } from './addon.js';
import { cachedPack, primePack } from './pack-cache.js';
import { activationFn } from '../cpu/kernels/fused/common.js';

type Inputs = readonly (Value | undefined)[];

/**
 * Size thresholds, read from the environment when a native backend is made (nativeKernels), not per
 * call: a `process.env` read is a getenv through a property interceptor, about a microsecond.
 */
const tuning = { minFlops: 8192, syncFlops: 3e7, minBinary: 2048, minTranspose: 16384, minRowwise: 1024 };
function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  const v = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
function readTuning(): void {
  tuning.minFlops = envNumber('ONNXFLOW_NATIVE_MIN_FLOPS') ?? 8192;
  tuning.syncFlops = envNumber('ONNXFLOW_NATIVE_SYNC_FLOPS') ?? 3e7;
  const elems = envNumber('ONNXFLOW_NATIVE_MIN_ELEMS');
  tuning.minBinary = elems ?? 2048;
  tuning.minTranspose = elems ?? 16384;
  tuning.minRowwise = elems ?? 1024;
}

/** Products below this many flops run on the cpu kernel (the async hop costs more). $ONNXFLOW_NATIVE_MIN_FLOPS. */
function minFlops(): number {
  return tuning.minFlops;
}

/**
 * Jobs up to this many flops run on the JS thread (addon `sync`; the pool still helps, the JS thread
 * is one of its threads): a call costs about 5 us sync but 75-80 us async (a libuv worker, then back
 * to the event loop) on a loaded 2-core machine (bench: 2026-11-23), so below about a millisecond of
 * work (3e7 flops) freeing the event loop is not worth it. Elementwise and row
 * ops count 32 flops per element. $ONNXFLOW_NATIVE_SYNC_FLOPS (0: always async).
 */
const syncFor = (flops: number) => flops <= tuning.syncFlops;
const syncElems = (n: number) => 32 * n <= tuning.syncFlops;

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);
const packedFloats = (rows: number, K: number, P: number) => ceilDiv(rows, P) * P * K;

/** Panels of B (as rows n x K, n at stride rs, k at stride ks) for `count` matrices `stride` apart. */
async function packB(addon: NativeAddon, src: Float32Array, rows: number, K: number, rs: number, ks: number, count: number, stride: number): Promise<Float32Array> {
  const { nr } = addon.info();
  const per = packedFloats(rows, K, nr);
  const dst = new Float32Array(per * count);
  await addon.packPanels({ src, rs, ks, rows, K, P: nr, dst, count, srcStride: stride, dstStride: per, sync: syncElems(per * count) });
  return dst;
}

const FUSED = 'com.onnxflow';

/** Pack-cache keys: what the packed panels depend on besides the tensor (ISA panel width, layout). */
const matmulKey = (isa: string, transB: boolean) => `matmul:${isa}:${transB ? 1 : 0}`;
const gemmKey = (isa: string, transB: boolean) => `gemm:${isa}:${transB ? 1 : 0}`;
const convKey = (isa: string, group: number) => `conv:${isa}:${group}`;

/**
 * Session creation (Backend.prepare): pack every constant weight the native MatMul / FusedGemm / Gemm /
 * Conv / FusedConv kernels would pack on their second run, with the same keys and layouts, so the first
 * run already reads packed panels ("weights packed once at session creation"). Kernels that end up on
 * the cpu path (too small, other dtypes) never read them.
 */
export async function prepackWeights(addon: NativeAddon, steps: readonly PrepareStep[]): Promise<number> {
  const info = addon.info();
  const jobs: Promise<Float32Array>[] = [];
  for (const { node, attrs, constants } of steps) {
    const b = constants[1];
    if (!b || b.type !== 'float32' || b.dims.length < 2 || b.size === 0) continue;
    const op = node.opType, onnx = node.domain === '' || node.domain === 'ai.onnx', fused = node.domain === FUSED;
    const d = b.dims, r = d.length;
    const B = b.data as Float32Array;
    if ((op === 'MatMul' && onnx) || (op === 'FusedGemm' && fused)) {
      const transB = fused && attrs.int('transB', 0) !== 0;
      const N = transB ? d[r - 2]! : d[r - 1]!, K = transB ? d[r - 1]! : d[r - 2]!;
      let nbB = 1;
      for (let i = 0; i < r - 2; i++) nbB *= d[i]!;
      const bRs = transB ? K : 1, bKs = transB ? 1 : N;
      jobs.push(primePack(b, matmulKey(info.isa, transB), () => packB(addon, B, N, K, bRs, bKs, nbB, K * N)));
    } else if (op === 'Gemm' && onnx && r === 2) {
      const transB = attrs.int('transB', 0) !== 0;
      const N = transB ? d[0]! : d[1]!, K = transB ? d[1]! : d[0]!;
      jobs.push(primePack(b, gemmKey(info.isa, transB), () => packB(addon, B, N, K, transB ? K : 1, transB ? 1 : N, 1, 0)));
    } else if ((op === 'Conv' && onnx) || (op === 'FusedConv' && fused)) {
      // the packing depends only on M, C/group * kernel size and group (conv2d_pack_weight)
      if (r !== 3 && r !== 4) continue;
      const group = attrs.int('group', 1), M = d[0]!, Cg = d[1]!;
      if (group < 1 || M % group !== 0 || (Cg === 1 && group > 1)) continue;
      const KH = r === 4 ? d[2]! : 1, KW = d[r - 1]!;
      const geo: Conv2dGeometry = { N: 1, C: Cg * group, M, group, H: KH, W: KW, KH, KW, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, OH: 1, OW: 1 };
      jobs.push(primePack(b, convKey(info.isa, group), async () => {
        const packed = new Float32Array(addon.conv2dPackedSize(geo));
        await addon.conv2dPackWeight(Object.assign(convArgsOf(geo), { w: B, packed, sync: syncElems(packed.length) }));
        return packed;
      }));
    }
  }
  await Promise.all(jobs);
  return jobs.length;
}

/** The conv geometry as a fresh plain literal with room for the call's arrays (one object shape). */
function convArgsOf(g: Conv2dGeometry): Conv2dGeometry & Record<string, unknown> {
  return {
    N: g.N, C: g.C, H: g.H, W: g.W, M: g.M, group: g.group, KH: g.KH, KW: g.KW, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw,
    dh: g.dh, dw: g.dw, OH: g.OH, OW: g.OW, x: undefined, packed: undefined, w: undefined, bias: undefined, y: undefined, act: undefined, sync: undefined,
  };
}

/** The addon's activation code for a fused op's `activation` / `gelu_approximate`, or undefined (unknown: cpu). */
function actCode(name: string, approximate = 'none'): NativeAct | undefined {
  switch (name) {
    case '': return NativeAct.None;
    case 'Relu': return NativeAct.Relu;
    case 'SiLU': return NativeAct.Silu;
    case 'Gelu': return approximate === 'none' ? NativeAct.Gelu : approximate === 'tanh' ? NativeAct.GeluTanh : undefined;
    default: return undefined;
  }
}

/**
 * Elements below which elementwise / norm ops stay on the cpu kernel (the call costs more than the
 * TypeScript loop): measured crossovers (CPU time, one thread, 2026-11-23) about 2K elements for
 * Add / Mul (a sync native call is ~10 us, the TypeScript loop ~4 us per 1K), 16K for Transpose, about 1K
 * for softmax, norms and activations (exp / erf per element). $ONNXFLOW_NATIVE_MIN_ELEMS overrides all.
 */
function minElems(kind: 'binary' | 'rowwise' = 'rowwise'): number {
  return kind === 'binary' ? tuning.minBinary : tuning.minRowwise;
}

/**
 * Offsets per entry of the broadcast batch `batch` for operands with batch dims `dims[i]` and
 * matrices of `per[i]` elements (numpy broadcasting, right-aligned).
 */
function batchOffsets(batch: number[], dims: number[][], per: number[]): Float64Array[] {
  let nb = 1;
  for (const d of batch) nb *= d;
  const rank = batch.length;
  const strides = dims.map((d) => broadcastStrides(d, batch));
  const out = dims.map(() => new Float64Array(nb));
  const cur = dims.map(() => 0);
  const cnt = new Array<number>(rank).fill(0);
  for (let t = 0; t < nb; t++) {
    for (let i = 0; i < dims.length; i++) out[i]![t] = cur[i]! * per[i]!;
    for (let ax = rank - 1; ax >= 0; ax--) {
      cnt[ax]!++;
      for (let i = 0; i < dims.length; i++) cur[i]! += strides[i]![ax]!;
      if (cnt[ax]! < batch[ax]!) break;
      for (let i = 0; i < dims.length; i++) cur[i]! -= strides[i]![ax]! * batch[ax]!;
      cnt[ax] = 0;
    }
  }
  return out;
}

/**
 * Offset per entry of the broadcast batch `batch` of an operand whose batch axes have `dims` and
 * element strides `strides` (right-aligned; size-1 axes broadcast).
 */
function stridedOffsets(batch: number[], dims: number[], strides: number[]): Float64Array {
  let nb = 1;
  for (const d of batch) nb *= d;
  const rank = batch.length, lead = rank - dims.length;
  const st = batch.map((_, ax) => (ax < lead || dims[ax - lead] === 1 ? 0 : strides[ax - lead]!));
  const out = new Float64Array(nb);
  const cnt = new Array<number>(rank).fill(0);
  let cur = 0;
  for (let t = 0; t < nb; t++) {
    out[t] = cur;
    for (let ax = rank - 1; ax >= 0; ax--) {
      cnt[ax]!++;
      cur += st[ax]!;
      if (cnt[ax]! < batch[ax]!) break;
      cur -= st[ax]! * batch[ax]!;
      cnt[ax] = 0;
    }
  }
  return out;
}

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export function nativeKernels(addon: NativeAddon, cpu: (op: string, opset: number, domain?: string) => KernelFn | undefined): KernelConfig[] {
  readTuning();
  // Outputs from the addon's recycling huge-page pool (no page faults per call); plain JS memory
  // where external buffers are not allowed (e.g. a V8 sandbox).
  let pooled = true;
  const alloc = (n: number): Float32Array => {
    if (pooled) {
      try {
        return addon.alloc(n);
      } catch {
        pooled = false;
      }
    }
    return new Float32Array(n);
  };
  /**
   * Storage for output `index` (float32, `dims`): the run's memory arena when the engine offers one
   * (a Float32Array over the arena's ArrayBuffer; the addon takes any Float32Array, and the job
   * completes before the kernel returns, so the region stays ours), else the recycling pool. Arena
   * storage may be an input's own (in-place Add / Sub / Mul / Div / Gelu / SiLU, same size only):
   * those native loops read element i of every input before writing element i.
   */
  const out = (ctx: KernelContext, index: number, dims: readonly number[]): Float32Array => {
    if (ctx.alloc) return ctx.alloc(index, 'float32', dims) as Float32Array;
    let n = 1;
    for (const d of dims) n *= d;
    return alloc(n);
  };

  const fallback = (op: string, inputs: Inputs, ctx: KernelContext, domain = '') => {
    const k = cpu(op, ctx.opset, domain);
    if (!k) throw new Error(`no cpu kernel for ${domain ? `${domain}::` : ''}${op} (opset ${ctx.opset})`);
    return k(inputs, ctx);
  };

  // ---- MatMul / FusedGemm: numpy matmul with batch broadcasting; constant B packed once. FusedGemm
  // adds transA / transB (swap the operand's last two axes) and a bias + activation epilogue.
  /** `post`: an activation the addon has no code for (QuickGelu), applied in place after the product. */
  interface MatMulOpts { transA: boolean; transB: boolean; bias?: Float32Array; act: NativeAct; post?: (v: number) => number }
  const plainOpts: MatMulOpts = { transA: false, transB: false, act: NativeAct.None };

  const matMulLike = (op: string, domain: string, opts: MatMulOpts | undefined, inputs: Inputs, ctx: KernelContext) => {
    const a = tensorAt(inputs, 0, 'A');
    const b = tensorAt(inputs, 1, 'B');
    const fb = () => fallback(op, inputs, ctx, domain);
    if (!opts || a.type !== 'float32' || b.type !== 'float32' || a.dims.length === 0 || b.dims.length === 0) return fb();
    if ((opts.transA && a.dims.length < 2) || (opts.transB && b.dims.length < 2)) return fb();
    const aD = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
    const bD = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
    const ra = aD.length, rb = bD.length;
    const M = opts.transA ? aD[ra - 1]! : aD[ra - 2]!, K = opts.transA ? aD[ra - 2]! : aD[ra - 1]!;
    const N = opts.transB ? bD[rb - 2]! : bD[rb - 1]!, K2 = opts.transB ? bD[rb - 1]! : bD[rb - 2]!;
    if (K2 !== K) return fb();
    if (opts.bias && opts.bias.length !== N) return fb();
    const aBatch = aD.slice(0, -2), bBatch = bD.slice(0, -2);
    let batch: number[];
    try {
      batch = broadcastShapes(aBatch, bBatch);
    } catch {
      return fb();
    }
    let nb = 1;
    for (const d of batch) nb *= d;
    if (nb * M * N === 0 || 2 * nb * M * N * K < minFlops()) return fb();
    const outDims = [...batch];
    if (a.dims.length > 1) outDims.push(M);
    if (b.dims.length > 1) outDims.push(N);
    return runMatMul(ctx, a, b, M, K, N, aBatch, bBatch, batch, nb, outDims, opts);
  };
  const matMul: KernelFn = (inputs, ctx) => matMulLike('MatMul', '', plainOpts, inputs, ctx);
  const fusedGemm: KernelFn = (inputs, ctx) => {
    const bias = optTensor(inputs, 2);
    const name = ctx.attrs.string('activation', '');
    const approx = ctx.attrs.string('gelu_approximate', 'none');
    // QuickGelu (CLIP's MLP) has no addon code: the product runs native, the activation after it
    const post = name === 'QuickGelu' ? activationFn(name, approx, ctx.attrs.float('alpha', 1.702)) : undefined;
    const act = post ? NativeAct.None : actCode(name, approx);
    const ok = act !== undefined && (!bias || bias.type === 'float32');
    const opts = ok ? {
      transA: ctx.attrs.int('transA', 0) !== 0, transB: ctx.attrs.int('transB', 0) !== 0,
      bias: bias ? (bias.data as Float32Array) : undefined, act: act!, post,
    } : undefined;
    return matMulLike('FusedGemm', FUSED, opts, inputs, ctx);
  };

  async function runMatMul(ctx: KernelContext, a: Tensor, b: Tensor, M: number, K: number, N: number, aBatch: number[], bBatch: number[], batch: number[], nb: number, outDims: number[], opts: MatMulOpts): Promise<Value[]> {
    const A = a.data as Float32Array, B = b.data as Float32Array;
    const C = out(ctx, 0, outDims);
    let nbB = 1;
    for (const d of bBatch) nbB *= d;
    const info = addon.info();
    // B as rows n x K: [K, N] has n at stride 1, k at stride N; transposed [N, K] the reverse.
    const bRs = opts.transB ? K : 1, bKs = opts.transB ? 1 : N;
    const aRs = opts.transA ? 1 : K, aKs = opts.transA ? M : 1;
    const packedP = cachedPack(b, matmulKey(info.isa, opts.transB), () => packB(addon, B, N, K, bRs, bKs, nbB, K * N));
    const packed = packedP ? await packedP : undefined;
    const bPer = packed ? packedFloats(N, K, info.nr) : K * N;
    // Argument objects are plain literals of one shape: a spread (`{ ...x }`) costs several microseconds
    // per call in V8, more than a small product.
    const b0 = packed ?? B, bPacked = packed !== undefined, colBias = opts.bias, act = opts.act;
    const sync = syncFor(2 * nb * M * N * K);
    const sb = broadcastStrides(bBatch, batch);
    const bConst = sb.every((s) => s === 0);
    const aFull = sameDims(aBatch, batch);
    if (bConst && aFull && !opts.transA) {
      // One B for every batch: a single (nb*M x K) by (K x N) product over A's contiguous rows.
      await addon.gemm({ M: nb * M, N, K, a: A, aRs: K, aKs: 1, b: b0, bPacked, bRs, bKs, c: C, colBias, act, sync });
    } else {
      const [aOff, bOff] = batchOffsets(batch, [aBatch, bBatch], [M * K, bPer]);
      await addon.gemm({ M, N, K, batch: nb, a: A, aRs, aKs, aOffsets: aOff, b: b0, bPacked, bRs, bKs, bOffsets: bOff, c: C, colBias, act, sync });
    }
    const post = opts.post;
    if (post) for (let i = 0; i < C.length; i++) C[i] = post(C[i]!);
    return [new Tensor('float32', C, outDims)];
  }

  // ---- Gemm: Y = alpha * A' B' + beta * C; C folded into the epilogue as a row/column bias when it is a vector.
  const gemm: KernelFn = (inputs, ctx) => {
    const a = tensorAt(inputs, 0, 'A');
    const b = tensorAt(inputs, 1, 'B');
    const c = optTensor(inputs, 2);
    if (a.type !== 'float32' || b.type !== 'float32' || (c && c.type !== 'float32') || a.dims.length !== 2 || b.dims.length !== 2) {
      return fallback('Gemm', inputs, ctx);
    }
    const transA = ctx.attrs.int('transA', 0) !== 0, transB = ctx.attrs.int('transB', 0) !== 0;
    const alpha = ctx.attrs.float('alpha', 1), beta = ctx.attrs.float('beta', 1);
    const M = transA ? a.dims[1]! : a.dims[0]!, K = transA ? a.dims[0]! : a.dims[1]!;
    const N = transB ? b.dims[0]! : b.dims[1]!, K2 = transB ? b.dims[1]! : b.dims[0]!;
    if (K !== K2 || M * N === 0 || 2 * M * N * K < minFlops()) return fallback('Gemm', inputs, ctx);
    const useC = c !== undefined && beta !== 0;
    let cRows = 1, cCols = 1;
    if (useC) {
      if (c.dims.length > 2) return fallback('Gemm', inputs, ctx);
      cCols = c.dims.length >= 1 ? c.dims[c.dims.length - 1]! : 1;
      cRows = c.dims.length === 2 ? c.dims[0]! : 1;
      if ((cRows !== 1 && cRows !== M) || (cCols !== 1 && cCols !== N)) return fallback('Gemm', inputs, ctx);
    }
    return runGemm(ctx, a, b, useC ? c : undefined, cRows, cCols, M, N, K, transA, transB, alpha, beta);
  };

  async function runGemm(ctx: KernelContext, a: Tensor, b: Tensor, c: Tensor | undefined, cRows: number, cCols: number, M: number, N: number, K: number, transA: boolean, transB: boolean, alpha: number, beta: number): Promise<Value[]> {
    const A = a.data as Float32Array, B = b.data as Float32Array;
    const Y = out(ctx, 0, [M, N]);
    const info = addon.info();
    // B as (n, k): transB stores [N, K] (n at stride K), else [K, N] (n at stride 1, k at stride N).
    const bRs = transB ? K : 1, bKs = transB ? 1 : N;
    const packedP = cachedPack(b, gemmKey(info.isa, transB), () => packB(addon, B, N, K, bRs, bKs, 1, 0));
    const packed = packedP ? await packedP : undefined;
    const b0 = packed ?? B, bPacked = packed !== undefined;
    let rowBias: Float32Array | undefined, colBias: Float32Array | undefined, accumulate = false;
    if (c) {
      const cd = c.data as Float32Array;
      if (cRows === M && cCols === N && M * N > 1 && !(M === 1 || N === 1)) {
        for (let i = 0; i < M * N; i++) Y[i] = beta * cd[i]!;
        accumulate = true;
      } else if (cCols === N && (cRows === 1 || M === 1)) {
        colBias = new Float32Array(N);
        for (let n = 0; n < N; n++) colBias[n] = beta * cd[n]!;
      } else if (cRows === M && cCols === 1) {
        rowBias = new Float32Array(M);
        for (let m = 0; m < M; m++) rowBias[m] = beta * cd[m]!;
      } else if (cRows === 1 && cCols === 1) {
        colBias = new Float32Array(N).fill(beta * cd[0]!);
      } else {
        // cRows === M, cCols === N with M or N of 1: a column (N === 1) or row (M === 1) vector.
        if (N === 1) {
          rowBias = new Float32Array(M);
          for (let m = 0; m < M; m++) rowBias[m] = beta * cd[m]!;
        } else {
          colBias = new Float32Array(N);
          for (let n = 0; n < N; n++) colBias[n] = beta * cd[n]!;
        }
      }
    }
    await addon.gemm({
      M, N, K, a: A, aRs: transA ? 1 : K, aKs: transA ? M : 1, alpha, b: b0, bPacked, bRs, bKs, c: Y, accumulate, rowBias, colBias,
      sync: syncFor(2 * M * N * K),
    });
    return [new Tensor('float32', Y, [M, N])];
  }

  // ---- Conv / FusedConv: 1-D and 2-D, any groups but depthwise (direct cpu loop), as packed implicit
  // GEMM; FusedConv's bias + activation run in the GEMM epilogue.
  const convLike = (op: string, domain: string, act: NativeAct | undefined, inputs: Inputs, ctx: KernelContext) => {
    const fb = () => fallback(op, inputs, ctx, domain);
    const x = tensorAt(inputs, 0, 'X');
    const w = tensorAt(inputs, 1, 'W');
    const bias = optTensor(inputs, 2);
    const rank = x.dims.length - 2;
    if (act === undefined || x.type !== 'float32' || w.type !== 'float32' || (bias && bias.type !== 'float32') || (rank !== 1 && rank !== 2) || w.dims.length !== x.dims.length) {
      return fb();
    }
    const N = x.dims[0]!, C = x.dims[1]!, M = w.dims[0]!, Cg = w.dims[1]!;
    const group = ctx.attrs.int('group', 1);
    if (group < 1 || C !== Cg * group || M % group !== 0 || (bias && bias.size !== M)) return fb();
    const kernel = w.dims.slice(2);
    const ks = ctx.attrs.ints('kernel_shape', []);
    if (ks.length && (ks.length !== rank || ks.some((k, i) => k !== kernel[i]))) return fb();
    const g = computeGeometry(
      x.dims.slice(2), kernel, spatialInts(ctx, 'strides', rank, 1), spatialInts(ctx, 'dilations', rank, 1),
      readPads(ctx, rank), readAutoPad(ctx),
    );
    const two = rank === 2;
    const geo: Conv2dGeometry = {
      N, C, M, group,
      H: two ? g.inDims[0]! : 1, W: g.inDims[rank - 1]!,
      KH: two ? kernel[0]! : 1, KW: kernel[rank - 1]!,
      sh: two ? g.strides[0]! : 1, sw: g.strides[rank - 1]!,
      ph: two ? g.padsBegin[0]! : 0, pw: g.padsBegin[rank - 1]!,
      dh: two ? g.dilations[0]! : 1, dw: g.dilations[rank - 1]!,
      OH: two ? g.outDims[0]! : 1, OW: g.outDims[rank - 1]!,
    };
    const outSize = geo.OH * geo.OW;
    const Kc = Cg * geo.KH * geo.KW;
    if (N * M * outSize === 0 || Kc === 0 || 2 * N * M * outSize * Kc < minFlops()) return fb();
    if (Cg === 1 && group > 1) {
      // depthwise: a direct loop (a GEMM with K = KH*KW per channel would be all overhead)
      const outDims = [N, M, ...g.outDims];
      const y = out(ctx, 0, outDims);
      const args = convArgsOf(geo);
      args.x = x.data as Float32Array;
      args.w = w.data as Float32Array;
      args.bias = bias ? (bias.data as Float32Array) : undefined;
      args.y = y;
      args.act = act;
      args.sync = syncFor(2 * N * M * outSize * Kc * 4);
      return addon.depthwise2d(args as unknown as Parameters<NativeAddon['depthwise2d']>[0]).then(() => [new Tensor('float32', y, outDims)]);
    }
    return runConv(ctx, x, w, bias, geo, [N, M, ...g.outDims], act);
  };
  const conv: KernelFn = (inputs, ctx) => convLike('Conv', '', NativeAct.None, inputs, ctx);
  const fusedConv: KernelFn = (inputs, ctx) =>
    convLike('FusedConv', FUSED, actCode(ctx.attrs.string('activation', ''), ctx.attrs.string('gelu_approximate', 'none')), inputs, ctx);

  async function runConv(ctx: KernelContext, x: Tensor, w: Tensor, bias: Tensor | undefined, geo: Conv2dGeometry, outDims: number[], act: NativeAct): Promise<Value[]> {
    const info = addon.info();
    const pack = async () => {
      const packed = new Float32Array(addon.conv2dPackedSize(geo));
      await addon.conv2dPackWeight(Object.assign(convArgsOf(geo), { w: w.data as Float32Array, packed, sync: syncElems(packed.length) }));
      return packed;
    };
    const cached = cachedPack(w, convKey(info.isa, geo.group), pack);
    const packed = cached ? await cached : await pack();
    const y = out(ctx, 0, outDims);
    const flops = 2 * geo.N * geo.M * geo.OH * geo.OW * (geo.C / geo.group) * geo.KH * geo.KW;
    const args = convArgsOf(geo);
    args.x = x.data as Float32Array;
    args.packed = packed;
    args.bias = bias ? (bias.data as Float32Array) : undefined;
    args.y = y;
    args.act = act;
    args.sync = syncFor(flops);
    await addon.conv2d(args as unknown as Parameters<NativeAddon["conv2d"]>[0]);
    return [new Tensor('float32', y, outDims)];
  }

  // ---- Attention (opset 23+): fused blockwise attention for the plain case (no mask, no KV cache,
  // no softcap / windows, only Y wanted); everything else goes to the cpu kernel.
  const attention: KernelFn = (inputs, ctx) => {
    const q = tensorAt(inputs, 0, 'Q');
    const k = tensorAt(inputs, 1, 'K');
    const v = tensorAt(inputs, 2, 'V');
    const a = ctx.attrs;
    const plain = inputs.slice(3).every((x) => x === undefined) && ctx.outputWanted.slice(1).every((w) => !w)
      && a.float('softcap', 0) === 0 && a.int('left_window_size', -1) < 0 && a.int('right_window_size', -1) < 0;
    if (!plain || q.type !== 'float32' || k.type !== 'float32' || v.type !== 'float32') return fallback('Attention', inputs, ctx);
    const rank = q.rank;
    if ((rank !== 3 && rank !== 4) || k.rank !== rank || v.rank !== rank) return fallback('Attention', inputs, ctx);
    const B = q.dims[0]!;
    let Hq: number, Hkv: number, Sq: number, Skv: number, D: number, Dv: number;
    if (rank === 3) {
      Hq = a.int('q_num_heads', 0);
      Hkv = a.int('kv_num_heads', 0);
      if (Hq <= 0 || Hkv <= 0 || q.dims[2]! % Hq !== 0 || k.dims[2]! % Hkv !== 0 || v.dims[2]! % Hkv !== 0) return fallback('Attention', inputs, ctx);
      Sq = q.dims[1]!;
      Skv = k.dims[1]!;
      D = q.dims[2]! / Hq;
      Dv = v.dims[2]! / Hkv;
      if (k.dims[2]! / Hkv !== D || v.dims[1] !== Skv) return fallback('Attention', inputs, ctx);
    } else {
      [, Hq, Sq, D] = q.dims as [number, number, number, number];
      Hkv = k.dims[1]!;
      Skv = k.dims[2]!;
      Dv = v.dims[3]!;
      if (k.dims[3] !== D || v.dims[1] !== Hkv || v.dims[2] !== Skv) return fallback('Attention', inputs, ctx);
    }
    if (k.dims[0] !== B || v.dims[0] !== B || Hq % Hkv !== 0 || B * Hq * Sq * Skv * D * Dv === 0) return fallback('Attention', inputs, ctx);
    if (2 * B * Hq * Sq * Skv * (D + Dv) < minFlops()) return fallback('Attention', inputs, ctx);
    const scale = a.has('scale') ? a.float('scale') : 1 / Math.sqrt(D);
    const causal = a.int('is_causal', 0) !== 0;
    const dims = rank === 4 ? [B, Hq, Sq, Dv] : [B, Sq, Hq * Dv];
    const y = out(ctx, 0, dims);
    const st = rank === 4
      ? { qb: Hq * Sq * D, qh: Sq * D, qs: D, kb: Hkv * Skv * D, kh: Skv * D, ks: D, vb: Hkv * Skv * Dv, vh: Skv * Dv, vs: Dv, yb: Hq * Sq * Dv, yh: Sq * Dv, ys: Dv }
      : { qb: Sq * Hq * D, qh: D, qs: Hq * D, kb: Skv * Hkv * D, kh: D, ks: Hkv * D, vb: Skv * Hkv * Dv, vh: Dv, vs: Hkv * Dv, yb: Sq * Hq * Dv, yh: Dv, ys: Hq * Dv };
    const BH = B * Hq, group = Hq / Hkv;
    const qo = new Float64Array(BH), ko = new Float64Array(BH), vo = new Float64Array(BH), yo = new Float64Array(BH);
    for (let t = 0; t < BH; t++) {
      const b = Math.floor(t / Hq), h = t % Hq, kh = Math.floor(h / group);
      qo[t] = b * st.qb + h * st.qh;
      yo[t] = b * st.yb + h * st.yh;
      ko[t] = b * st.kb + kh * st.kh;
      vo[t] = b * st.vb + kh * st.vh;
    }
    return addon.attention({
      BH, Sq, Skv, D, Dv, scale, causal, q: q.data as Float32Array, k: k.data as Float32Array, v: v.data as Float32Array, y,
      qo, ko, vo, yo, qs: st.qs, ks: st.ks, kd: 1, vs: st.vs, ys: st.ys, sync: syncFor(2 * BH * Sq * Skv * (D + Dv)),
    }).then(() => [new Tensor('float32', y, dims)]);
  };

  // ---- com.onnxflow FusedAttention(Q [..., Sq, D], Kt [..., D, Skv], V [..., Skv, Dv], mask?, cond?, fill?):
  // numpy-broadcast batch dims, additive mask and Where(cond, ., fill) broadcasting into the scores
  // (but not widening them), a scalar fill. `q_perm` / `k_perm` / `v_perm`: input i is X with the operand
  // Transpose(X, perm), read through the permuted strides (no copy; Q and V rows must stay contiguous).
  const fusedAttention: KernelFn = (inputs, ctx) => {
    const fb = () => fallback('FusedAttention', inputs, ctx, FUSED);
    const q = tensorAt(inputs, 0, 'Q');
    const kt = tensorAt(inputs, 1, 'Kt');
    const v = tensorAt(inputs, 2, 'V');
    const mask = optTensor(inputs, 3);
    const cond = optTensor(inputs, 4);
    const fill = optTensor(inputs, 5);
    if (q.type !== 'float32' || kt.type !== 'float32' || v.type !== 'float32' || q.rank < 2 || kt.rank < 2 || v.rank < 2) return fb();
    if ((mask && mask.type !== 'float32') || (cond && (cond.type !== 'bool' || !fill || fill.type !== 'float32' || fill.size !== 1))) return fb();
    const scaleOp = ctx.attrs.string('scale_op', 'none');
    const scaleAttr = ctx.attrs.float('scale', 1);
    const scale = scaleOp === 'mul' ? scaleAttr : scaleOp === 'div' ? 1 / scaleAttr : scaleOp === 'none' ? 1 : NaN;
    if (!Number.isFinite(scale)) return fb();
    // is_causal 1: key j visible to query i iff j <= i (top-left); 2: iff j <= i + Skv - Sq (bottom-right).
    // The addon applies it after Where and the mask, the reference before: the same scores unless a
    // Where fills with a finite value (the Attention rewrite fills with -inf), which stays on cpu.
    const isCausal = ctx.attrs.int('is_causal', 0);
    if (isCausal !== 0 && isCausal !== 1 && isCausal !== 2) return fb();
    if (isCausal && cond && (fill!.data as Float32Array)[0] !== -Infinity) return fb();
    // Each operand's dims and element strides as the product sees it (permuted under q_perm / k_perm /
    // v_perm); Q and V rows must stay contiguous.
    const view = (t: Tensor, attr: string) => {
      const r = t.rank;
      const st = new Array<number>(r);
      for (let i = r - 1, acc = 1; i >= 0; i--) { st[i] = acc; acc *= t.dims[i]!; }
      if (!ctx.attrs.has(attr)) return { dims: [...t.dims], st };
      const perm = ctx.attrs.ints(attr);
      if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) return undefined;
      return { dims: perm.map((p) => t.dims[p]!), st: perm.map((p) => st[p]!) };
    };
    const qv = view(q, 'q_perm'), kv = view(kt, 'k_perm'), vv = view(v, 'v_perm');
    if (!qv || !kv || !vv || qv.st[q.rank - 1] !== 1 || vv.st[v.rank - 1] !== 1) return fb();
    const kr = kt.rank, ktDims = kv.dims, ktSt = kv.st;
    const Sq = qv.dims[q.rank - 2]!, D = qv.dims[q.rank - 1]!;
    const Skv = ktDims[kr - 1]!, Dv = vv.dims[v.rank - 1]!;
    if (ktDims[kr - 2] !== D || vv.dims[v.rank - 2] !== Skv || D === 0) return fb();
    const qB = qv.dims.slice(0, -2), kB = ktDims.slice(0, -2), vB = vv.dims.slice(0, -2);
    let batch: number[];
    try {
      batch = broadcastShapes(qB, kB, vB);
    } catch {
      return fb();
    }
    const scoreDims = [...batch, Sq, Skv];
    const fits = (t: Tensor) => {
      if (t.rank > scoreDims.length) return false;
      try {
        return sameDims(broadcastShapes(scoreDims, t.dims), scoreDims);
      } catch {
        return false;
      }
    };
    if ((mask && !fits(mask)) || (cond && !fits(cond))) return fb();
    let BH = 1;
    for (const d of batch) BH *= d;
    if (BH * Sq * Dv === 0 || Skv === 0) return fb();
    if (2 * BH * Sq * Skv * (D + Dv) < minFlops()) return fb();
    const [yo] = batchOffsets(batch, [batch], [Sq * Dv]);
    const qo = stridedOffsets(batch, qB, qv.st.slice(0, -2));
    const ko = stridedOffsets(batch, kB, ktSt.slice(0, -2));
    const vo = stridedOffsets(batch, vB, vv.st.slice(0, -2));
    const layout = (t: Tensor) => {
      const st = broadcastStrides(t.dims, scoreDims);
      const r = scoreDims.length;
      // Offsets per entry from the batch strides of the mask seen through the scores.
      const off = new Float64Array(BH);
      const cnt = new Array<number>(batch.length).fill(0);
      let cur = 0;
      for (let e = 0; e < BH; e++) {
        off[e] = cur;
        for (let ax = batch.length - 1; ax >= 0; ax--) {
          cnt[ax]!++;
          cur += st[ax]!;
          if (cnt[ax]! < batch[ax]!) break;
          cur -= st[ax]! * batch[ax]!;
          cnt[ax] = 0;
        }
      }
      return { off, si: st[r - 2]!, sj: st[r - 1]! };
    };
    const m = mask ? layout(mask) : undefined;
    const c = cond ? layout(cond) : undefined;
    const yDims = [...batch, Sq, Dv];
    const y = out(ctx, 0, yDims);
    return addon.attention({
      BH, Sq, Skv, D, Dv, scale, q: q.data as Float32Array, k: kt.data as Float32Array, v: v.data as Float32Array, y,
      qo, ko, vo, yo, qs: qv.st[q.rank - 2]!, ks: ktSt[kr - 1]!, kd: ktSt[kr - 2]!, vs: vv.st[v.rank - 2]!, ys: Dv, sync: syncFor(2 * BH * Sq * Skv * (D + Dv)),
      mask: m ? (mask!.data as Float32Array) : undefined, mo: m?.off, mi: m?.si, mj: m?.sj,
      cond: c ? (cond!.data as Uint8Array) : undefined, co: c?.off, ci: c?.si, cj: c?.sj, fill: c ? (fill!.data as Float32Array)[0]! : undefined,
      keep: c ? ctx.attrs.int('where_keep', 1) !== 0 : undefined,
      causal: isCausal !== 0, causalOffset: isCausal === 2 ? Skv - Sq : 0, maskedNan: ctx.attrs.int('masked_row_zero', 0) === 0,
    }).then(() => [new Tensor('float32', y, yDims)]);
  };

  // ---- Norms, softmax, activations (large float32 tensors; small ones stay on the cpu kernel).
  const fusedGroupNorm: KernelFn = (inputs, ctx) => {
    const fb = () => fallback('FusedGroupNorm', inputs, ctx, FUSED);
    const x = tensorAt(inputs, 0, 'X');
    const gamma = tensorAt(inputs, 1, 'gamma');
    const beta = tensorAt(inputs, 2, 'beta');
    if (x.type !== 'float32' || gamma.type !== 'float32' || beta.type !== 'float32' || x.rank < 2 || x.size < minElems()) return fb();
    const G = ctx.attrs.int('num_groups', 0);
    const act = actCode(ctx.attrs.string('activation', ''));
    const N = x.dims[0]!, C = x.dims[1]!;
    if (act === undefined || G <= 0 || C % G !== 0 || gamma.size !== C || beta.size !== C) return fb();
    const y = out(ctx, 0, x.dims);
    return addon.groupNorm({
      x: x.data as Float32Array, gamma: gamma.data as Float32Array, beta: beta.data as Float32Array, y,
      N, C, S: x.size / (N * C), G, eps: ctx.attrs.float('epsilon', 1e-5), act, sync: syncElems(x.size),
    }).then(() => [new Tensor('float32', y, x.dims)]);
  };

  // ---- ConvTranspose, 1-D and 2-D float32: one GEMM per (image, group) and a col2im scatter-add
  // (geometry, output_padding / output_shape / auto_pad, as the cpu kernel); negative pads: cpu.
  const convTranspose: KernelFn = (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const w = tensorAt(inputs, 1, 'W');
    const bias = optTensor(inputs, 2);
    const rank = x.rank - 2;
    if (x.type !== 'float32' || w.type !== 'float32' || (bias && bias.type !== 'float32') || (rank !== 1 && rank !== 2) || w.rank !== x.rank) {
      return fallback('ConvTranspose', inputs, ctx);
    }
    const g = convTransposeGeometry(x, w, ctx);
    const KK = g.kernel.reduce((a, b) => a * b, 1);
    const inSize = g.inDims.reduce((a, b) => a * b, 1);
    const flops = 2 * g.N * g.M * KK * inSize * g.Cg;
    if (g.padsBegin.some((v) => v < 0) || (bias && bias.size !== g.M) || flops < minFlops()) return fallback('ConvTranspose', inputs, ctx);
    const two = rank === 2;
    const outDims = [g.N, g.M, ...g.outDims];
    const y = out(ctx, 0, outDims);
    const geo: Conv2dGeometry = {
      N: g.N, C: g.C, M: g.M, group: g.group, H: two ? g.inDims[0]! : 1, W: g.inDims[rank - 1]!,
      KH: two ? g.kernel[0]! : 1, KW: g.kernel[rank - 1]!, sh: two ? g.strides[0]! : 1, sw: g.strides[rank - 1]!,
      ph: two ? g.padsBegin[0]! : 0, pw: g.padsBegin[rank - 1]!, dh: two ? g.dilations[0]! : 1, dw: g.dilations[rank - 1]!,
      OH: two ? g.outDims[0]! : 1, OW: g.outDims[rank - 1]!,
    };
    const args = convArgsOf(geo);
    args.x = x.data as Float32Array;
    args.w = w.data as Float32Array;
    args.bias = bias ? (bias.data as Float32Array) : undefined;
    args.y = y;
    args.sync = syncFor(flops);
    return addon.convTranspose2d(args as unknown as Parameters<NativeAddon['convTranspose2d']>[0]).then(() => [new Tensor('float32', y, outDims)]);
  };

  // ---- InstanceNormalization: group norm with one group per channel (same kernel as FusedGroupNorm).
  const instanceNorm: KernelFn = (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'input');
    const scale = tensorAt(inputs, 1, 'scale');
    const b = tensorAt(inputs, 2, 'B');
    const C = x.rank >= 2 ? x.dims[1]! : 0;
    if (x.type !== 'float32' || scale.type !== 'float32' || b.type !== 'float32' || x.rank < 3 || x.size < minElems() || scale.size !== C || b.size !== C) {
      return fallback('InstanceNormalization', inputs, ctx);
    }
    const N = x.dims[0]!;
    const y = out(ctx, 0, x.dims);
    return addon.groupNorm({
      x: x.data as Float32Array, gamma: scale.data as Float32Array, beta: b.data as Float32Array, y,
      N, C, S: x.size / (N * C), G: C, eps: ctx.attrs.float('epsilon', 1e-5), act: NativeAct.None, sync: syncElems(x.size),
    }).then(() => [new Tensor('float32', y, x.dims)]);
  };

  // ---- MaxPool / AveragePool, 1-D and 2-D float32 (pads, auto_pad, strides, dilations, ceil_mode,
  // count_include_pad); MaxPool's Indices output, other ranks and dtypes: the cpu kernel.
  const poolLike = (op: 'MaxPool' | 'AveragePool'): KernelFn => (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const rank = x.rank - 2;
    const wantIdx = op === 'MaxPool' && ctx.outputCount > 1 && ctx.outputWanted[1] !== false;
    if (x.type !== 'float32' || (rank !== 1 && rank !== 2) || wantIdx || x.size < minElems()) return fallback(op, inputs, ctx);
    const g = poolGeometry(x, ctx, { dilations: true, ceil: true });
    if (g.padsBegin.some((v) => v < 0) || g.padsEnd.some((v) => v < 0)) return fallback(op, inputs, ctx);
    const two = rank === 2;
    const outDims = [x.dims[0]!, x.dims[1]!, ...g.outDims];
    const y = out(ctx, 0, outDims);
    const planes = x.dims[0]! * x.dims[1]!;
    const KH = two ? g.kernel[0]! : 1, KW = g.kernel[rank - 1]!, OH = two ? g.outDims[0]! : 1, OW = g.outDims[rank - 1]!;
    return addon.pool2d({
      x: x.data as Float32Array, y, planes, H: two ? g.inDims[0]! : 1, W: g.inDims[rank - 1]!, OH, OW, KH, KW,
      sh: two ? g.strides[0]! : 1, sw: g.strides[rank - 1]!, ph: two ? g.padsBegin[0]! : 0, pw: g.padsBegin[rank - 1]!,
      peh: two ? g.padsEnd[0]! : 0, pew: g.padsEnd[rank - 1]!, dh: two ? g.dilations[0]! : 1, dw: g.dilations[rank - 1]!,
      max: op === 'MaxPool', includePad: op === 'AveragePool' && ctx.attrs.int('count_include_pad', 0) !== 0,
      sync: syncElems(planes * OH * OW * KH * KW / 8),
    }).then(() => [new Tensor('float32', y, outDims)]);
  };

  /** Layer norm over the last axes from `axis`; Mean / InvStdDev outputs when `stats` (ONNX LayerNormalization). */
  const layerNormLike = (op: string, domain: string, inputs: Inputs, ctx: KernelContext, skip: boolean) => {
    const fb = () => fallback(op, inputs, ctx, domain);
    const x = tensorAt(inputs, 0, 'X');
    const b = skip ? tensorAt(inputs, 1, 'B') : undefined;
    const gamma = tensorAt(inputs, skip ? 2 : 1, 'gamma');
    const beta = optTensor(inputs, skip ? 3 : 2);
    if (x.type !== 'float32' || gamma.type !== 'float32' || (beta && beta.type !== 'float32') || (b && b.type !== 'float32') || x.rank < 1 || x.size < minElems()) return fb();
    const onnx = domain === '';
    let axis = onnx ? ctx.attrs.int('axis', -1) : -1;
    if (axis < 0) axis += x.rank;
    if (axis < 0 || axis >= x.rank) return fb();
    if (onnx && ctx.attrs.int('stash_type', 1) !== 1) return fb();
    if (b && !sameDims(b.dims, x.dims)) return fb();
    let D = 1;
    for (let i = axis; i < x.rank; i++) D *= x.dims[i]!;
    if (D === 0 || gamma.size !== D || (beta && beta.size !== D)) return fb();
    // gamma / beta must have the normalized shape (up to leading 1s), as the cpu kernel demands.
    const strip = (d: readonly number[]) => d.slice(d.findIndex((v) => v !== 1) < 0 ? d.length : d.findIndex((v) => v !== 1));
    const nd = strip(x.dims.slice(axis));
    if (!sameDims(strip(gamma.dims), nd) || (beta && !sameDims(strip(beta.dims), nd))) return fb();
    const rows = x.size / D;
    const y = out(ctx, 0, x.dims);
    const sum = skip ? out(ctx, 1, x.dims) : undefined;
    const stats = onnx && (ctx.outputWanted[1] || ctx.outputWanted[2]);
    const mean = stats ? new Float32Array(rows) : undefined, invStd = stats ? new Float32Array(rows) : undefined;
    return addon.layerNorm({
      a: x.data as Float32Array, b: b?.data as Float32Array | undefined, gamma: gamma.data as Float32Array,
      beta: beta?.data as Float32Array | undefined, y, sum, mean, invStd, rows, D, eps: ctx.attrs.float('epsilon', 1e-5), sync: syncElems(x.size),
    }).then(() => {
      const out: Value[] = [new Tensor('float32', y, x.dims)];
      if (skip) out.push(new Tensor('float32', sum!, x.dims));
      if (onnx) {
        const sd = x.dims.map((d, i) => (i < axis ? d : 1));
        out.push(new Tensor('float32', mean ?? new Float32Array(rows), sd), new Tensor('float32', invStd ?? new Float32Array(rows), sd));
      }
      return out;
    });
  };

  const softmaxLike = (op: string, log: boolean): KernelFn => (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'input');
    if (x.type !== 'float32' || x.rank < 1 || x.size < minElems()) return fallback(op, inputs, ctx);
    let axis = ctx.attrs.int('axis', -1);
    if (axis < 0) axis += x.rank;
    if (axis !== x.rank - 1) return fallback(op, inputs, ctx);
    const D = x.dims[x.rank - 1]!;
    if (D === 0) return fallback(op, inputs, ctx);
    const y = out(ctx, 0, x.dims);
    return addon.softmax({ x: x.data as Float32Array, y, rows: x.size / D, D, log, sync: syncElems(x.size) }).then(() => [new Tensor('float32', y, x.dims)]);
  };

  const activationLike = (op: string, act: (ctx: KernelContext) => NativeAct | undefined): KernelFn => (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const code = act(ctx);
    if (x.type !== 'float32' || x.size < minElems() || code === undefined) return fallback(op, inputs, ctx, FUSED);
    const y = out(ctx, 0, x.dims);
    return addon.activation({ x: x.data as Float32Array, y, act: code, sync: syncElems(x.size) }).then(() => [new Tensor('float32', y, x.dims)]);
  };

  // ---- com.onnxflow GeGLU(X [..., 2n]) -> X[..., :n] * gelu(X[..., n:]).
  const geGlu: KernelFn = (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const code = actCode('Gelu', ctx.attrs.string('approximate', 'none'));
    const twoN = x.rank ? x.dims[x.rank - 1]! : 0;
    if (x.type !== 'float32' || x.size < minElems() || code === undefined || twoN % 2 !== 0) return fallback('GeGLU', inputs, ctx, FUSED);
    const n = twoN / 2;
    const dims = [...x.dims.slice(0, -1), n];
    const y = out(ctx, 0, dims);
    return addon.geglu({ x: x.data as Float32Array, y, rows: x.size / twoN, n, act: code, sync: syncElems(x.size) })
      .then(() => [new Tensor('float32', y, dims)]);
  };

  // ---- Add / Sub / Mul / Div: numpy broadcasting on float32, for large outputs.
  const binaryLike = (op: string, code: number): KernelFn => (inputs, ctx) => {
    const a = tensorAt(inputs, 0, 'A');
    const b = tensorAt(inputs, 1, 'B');
    if (a.type !== 'float32' || b.type !== 'float32') return fallback(op, inputs, ctx);
    let dims: number[];
    try {
      dims = broadcastShapes(a.dims, b.dims);
    } catch {
      return fallback(op, inputs, ctx);
    }
    let n = 1;
    for (const d of dims) n *= d;
    if (n < minElems('binary')) return fallback(op, inputs, ctx);
    // Collapse: drop size-1 axes, merge neighbours both operands read contiguously (or both broadcast).
    const sa = broadcastStrides(a.dims, dims), sb = broadcastStrides(b.dims, dims);
    const cd: number[] = [], ca: number[] = [], cb: number[] = [];
    for (let i = 0; i < dims.length; i++) {
      if (dims[i] === 1) continue;
      const last = cd.length - 1;
      if (last >= 0 && ca[last] === sa[i]! * dims[i]! && cb[last] === sb[i]! * dims[i]!) {
        cd[last]! *= dims[i]!;
        ca[last] = sa[i]!;
        cb[last] = sb[i]!;
      } else {
        cd.push(dims[i]!);
        ca.push(sa[i]!);
        cb.push(sb[i]!);
      }
    }
    if (cd.length > 8) return fallback(op, inputs, ctx);
    const y = out(ctx, 0, dims);
    return addon.binary({ a: a.data as Float32Array, b: b.data as Float32Array, y, dims: cd, aStrides: ca, bStrides: cb, op: code, sync: syncElems(n) })
      .then(() => [new Tensor('float32', y, dims)]);
  };

  // ---- Transpose (float32, large): a strided copy, axes collapsed where the permutation keeps them together.
  const transpose: KernelFn = (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'data');
    if (x.type !== 'float32' || x.size < tuning.minTranspose) return fallback('Transpose', inputs, ctx);
    const r = x.rank;
    const perm = ctx.attrs.ints('perm', Array.from({ length: r }, (_, i) => r - 1 - i));
    if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) return fallback('Transpose', inputs, ctx);
    const st = new Array<number>(r);
    for (let i = r - 1, acc = 1; i >= 0; i--) { st[i] = acc; acc *= x.dims[i]!; }
    const outDims = perm.map((p) => x.dims[p]!);
    const cd: number[] = [], cs: number[] = [];
    for (let i = 0; i < r; i++) {
      const d = outDims[i]!, s = st[perm[i]!]!;
      if (d === 1) continue;
      const last = cd.length - 1;
      if (last >= 0 && cs[last] === s * d) {
        cd[last]! *= d;
        cs[last] = s;
      } else {
        cd.push(d);
        cs.push(s);
      }
    }
    if (cd.length > 8) return fallback('Transpose', inputs, ctx);
    const y = out(ctx, 0, outDims);
    return addon.stridedCopy({ x: x.data as Float32Array, y, dims: cd, xStrides: cs, sync: syncElems(x.size) }).then(() => [new Tensor('float32', y, outDims)]);
  };

  return [
    { opType: 'Transpose', kernel: transpose },
    { opType: 'Attention', sinceVersion: 23, kernel: attention },
    { opType: 'MatMul', kernel: matMul },
    { opType: 'Gemm', kernel: gemm },
    { opType: 'Conv', kernel: conv },
    { opType: 'ConvTranspose', kernel: convTranspose },
    { opType: 'MaxPool', kernel: poolLike('MaxPool') },
    { opType: 'AveragePool', kernel: poolLike('AveragePool') },
    { opType: 'InstanceNormalization', kernel: instanceNorm },
    { opType: 'Softmax', sinceVersion: 13, kernel: softmaxLike('Softmax', false) },
    { opType: 'LogSoftmax', sinceVersion: 13, kernel: softmaxLike('LogSoftmax', true) },
    { opType: 'LayerNormalization', sinceVersion: 17, kernel: (i, c) => layerNormLike('LayerNormalization', '', i, c, false) },
    { opType: 'Add', sinceVersion: 7, kernel: binaryLike('Add', 0) },
    { opType: 'Sub', sinceVersion: 7, kernel: binaryLike('Sub', 1) },
    { opType: 'Mul', sinceVersion: 7, kernel: binaryLike('Mul', 2) },
    { opType: 'Div', sinceVersion: 7, kernel: binaryLike('Div', 3) },
    { opType: 'FusedGemm', domain: FUSED, kernel: fusedGemm },
    { opType: 'FusedConv', domain: FUSED, kernel: fusedConv },
    { opType: 'FusedAttention', domain: FUSED, kernel: fusedAttention },
    { opType: 'FusedGroupNorm', domain: FUSED, kernel: fusedGroupNorm },
    { opType: 'LayerNormalization', domain: FUSED, kernel: (i, c) => layerNormLike('LayerNormalization', FUSED, i, c, false) },
    { opType: 'SkipLayerNormalization', domain: FUSED, kernel: (i, c) => layerNormLike('SkipLayerNormalization', FUSED, i, c, true) },
    { opType: 'GeGLU', domain: FUSED, kernel: geGlu },
    { opType: 'SiLU', domain: FUSED, kernel: activationLike('SiLU', () => NativeAct.Silu) },
    { opType: 'Gelu', domain: FUSED, kernel: activationLike('Gelu', (c) => actCode('Gelu', c.attrs.string('approximate', 'none'))) },
  ];
}
