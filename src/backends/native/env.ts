// What the native kernels (kernels/<Op>.ts) share: the NativeEnv made once per backend (the addon, output
// storage, the cpu fallback), the size thresholds read from the environment, the addon's activation codes,
// B-panel packing and the pack-cache keys (also used by prepack.ts), and broadcast batch offsets.

import type { KernelContext, KernelFn, KernelResult, Value } from '../backend.js';
import { broadcastStrides, walkOffsets } from '../cpu/util/broadcast.js';
import { spatialInts } from '../cpu/kernels/conv/common.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Attrs } from '../attrs.js';
import { NativeAct, type Conv2dGeometry, type Done, type NativeAddon } from './addon.js';

export type Inputs = readonly (Value | undefined)[];

/**
 * Size thresholds, read from the environment when a native backend is made (nativeKernels), not per
 * call: a `process.env` read is a getenv through a property interceptor, about a microsecond.
 */
const tuning = { minFlops: 8192, minAttentionFlops: 0, syncFlops: 2e8, minBinary: 512, minTranspose: 1024, minRowwise: 256 };
function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  const v = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
export function readTuning(): void {
  tuning.minFlops = envNumber('ONNXFLOW_NATIVE_MIN_FLOPS') ?? 8192;
  tuning.minAttentionFlops = envNumber('ONNXFLOW_NATIVE_MIN_FLOPS') ?? 0;
  tuning.syncFlops = envNumber('ONNXFLOW_NATIVE_SYNC_FLOPS') ?? 2e8;
  const elems = envNumber('ONNXFLOW_NATIVE_MIN_ELEMS');
  tuning.minBinary = elems ?? 512;
  tuning.minTranspose = elems ?? 1024;
  tuning.minRowwise = elems ?? 256;
}

/** Products below this many flops run on the cpu kernel (the call costs more than the product). $ONNXFLOW_NATIVE_MIN_FLOPS. */
export function minFlops(): number {
  return tuning.minFlops;
}

/**
 * Attention below this many flops runs on the cpu kernel: none by default (the cpu reference builds
 * the score matrix with a general matmul and allocates; a decoder's 1-query self-attention over a few
 * cached keys was slower there than a native call). $ONNXFLOW_NATIVE_MIN_FLOPS sets it too.
 */
export function minAttentionFlops(): number {
  return tuning.minAttentionFlops;
}

/**
 * Jobs up to this many flops run on the JS thread (addon `sync`; the pool still helps, the JS thread
 * is one of its threads): a call costs about 2 us sync but 80-500 us async (a libuv worker, then back
 * to the event loop; on 2 cores with the pool's worker spinning, the libuv thread waits for a time
 * slice: the shapes UNet's 38 MFLOP up-conv took 871 us async, 373 us sync, 2026-11-23), so below about
 * a millisecond of work (2e8 flops) freeing the event loop is not worth it; a sync job never waits
 * behind another job on the pool (ThreadPool::NoWait). Elementwise and row ops count 32 flops per
 * element. $ONNXFLOW_NATIVE_SYNC_FLOPS (0: always async).
 */
export const syncFor = (flops: number) => flops <= tuning.syncFlops;
export const syncElems = (n: number) => 32 * n <= tuning.syncFlops;

/** `f()` once a compute call is done: at once after a sync job (undefined), else when its promise settles. */
export function after<T>(done: Done, f: () => T): T | Promise<T> {
  return done === undefined ? f() : done.then(f);
}

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);
export const packedFloats = (rows: number, K: number, P: number) => ceilDiv(rows, P) * P * K;

/**
 * Precision of a session on the native backend (SessionOptions.precision): 'fp32', or 'bf16': MatMul /
 * Gemm weights packed as bfloat16 (rounded to nearest even, half the bytes) and widened to fp32 in the
 * microkernel; activations and accumulation stay fp32.
 */
export type { Precision } from '../backend.js';
import type { Precision } from '../backend.js';

/** Panels of B (as rows n x K, n at stride rs, k at stride ks) for `count` matrices `stride` apart; bf16 panels when `bf16`. */
export async function packB(addon: NativeAddon, src: Float32Array, rows: number, K: number, rs: number, ks: number, count: number, stride: number, bf16 = false): Promise<Float32Array | Uint16Array> {
  const { nr } = addon.info();
  const per = packedFloats(rows, K, nr);
  const dst = bf16 ? new Uint16Array(per * count) : new Float32Array(per * count);
  await addon.packPanels({ src, rs, ks, rows, K, P: nr, dst, count, srcStride: stride, dstStride: per, bf16, sync: syncElems(per * count) });
  return dst;
}

export const FUSED = 'com.onnxflow';

/**
 * How a constant operand is packed: its pack-cache key (what the panels depend on besides the tensor:
 * ISA panel width, layout) and the packing. One recipe per layout, shared by the kernels (packing on a
 * second sighting) and prepack.ts (at session creation), so the two cannot drift apart.
 */
export interface PackRecipe<P extends Float32Array | Uint16Array = Float32Array | Uint16Array> { key: string; pack: () => Promise<P> }

/**
 * B of MatMul / FusedGemm / Gemm ([..., K, N], or [..., N, K] with transB; a 1-D B is [K, 1]) as panels
 * of N, in fp32 or (precision 'bf16') bf16.
 */
export function matmulPack(addon: NativeAddon, b: Tensor, transB: boolean, precision: Precision): PackRecipe {
  const d = b.rank === 1 ? [b.dims[0]!, 1] : b.dims, r = d.length;
  const N = transB ? d[r - 2]! : d[r - 1]!, K = transB ? d[r - 1]! : d[r - 2]!;
  let count = 1;
  for (let i = 0; i < r - 2; i++) count *= d[i]!;
  const bf16 = precision === 'bf16';
  return {
    key: `matmul:${addon.info().isa}:${transB ? 1 : 0}${bf16 ? ':bf16' : ''}`,
    pack: () => packB(addon, b.data as Float32Array, N, K, transB ? K : 1, transB ? 1 : N, count, K * N, bf16),
  };
}

/** What a packed Conv weight depends on besides the weight: group, strides and dilations (as the addon's 2-D geometry). */
export interface ConvWindow { group: number; sh: number; sw: number; dh: number; dw: number }

/**
 * The ConvWindow of a Conv / FusedConv node of spatial rank 1 or 2 from its attributes, read as the
 * kernel reads them (spatialInts; a 1-D conv as 1 x W); undefined when they are invalid (the node then
 * fails when it runs, as before).
 */
export function convWindowOf(attrs: Attrs, rank: number): ConvWindow | undefined {
  let s: number[], d: number[];
  try {
    s = spatialInts({ attrs }, 'strides', rank, 1);
    d = spatialInts({ attrs }, 'dilations', rank, 1);
  } catch {
    return undefined;
  }
  const two = rank === 2;
  return { group: attrs.int('group', 1), sh: two ? s[0]! : 1, sw: s[rank - 1]!, dh: two ? d[0]! : 1, dw: d[rank - 1]! };
}

/**
 * A Conv weight [M, C / group, KH?, KW] packed for the addon: the GEMM's A panels, or (3x3, stride 1,
 * undilated, one group, 16+ channels) the Winograd-transformed weights, so the window is part of the key.
 */
export function convPack(addon: NativeAddon, w: Tensor, win: ConvWindow): PackRecipe<Float32Array> {
  const d = w.dims, r = d.length, M = d[0]!, Cg = d[1]!;
  const KH = r === 4 ? d[2]! : 1, KW = d[r - 1]!;
  const { group, sh, sw, dh, dw } = win;
  const H = (KH - 1) * dh + 1, W = (KW - 1) * dw + 1;
  const geo: Conv2dGeometry = { N: 1, C: Cg * group, M, group, H, W, KH, KW, sh, sw, ph: 0, pw: 0, dh, dw, OH: 1, OW: 1 };
  return {
    key: `conv:${addon.info().isa}:${group}:${sh}x${sw}:${dh}x${dw}`,
    pack: async () => {
      const packed = new Float32Array(addon.conv2dPackedSize(geo));
      await addon.conv2dPackWeight(Object.assign(convArgsOf(geo), { w: w.data as Float32Array, packed, sync: syncElems(packed.length) }));
      return packed;
    },
  };
}

/** Spatial geometry of a 1-D or 2-D window op (the cpu kernels' computeGeometry / pool / ConvTranspose results). */
interface SpatialGeometry { inDims: readonly number[]; kernel: readonly number[]; strides: readonly number[]; padsBegin: readonly number[]; dilations: readonly number[]; outDims: readonly number[] }

/** The addon's 2-D geometry for a 1-D / 2-D window op (a 1-D one as 1 x W): one literal of one shape. */
export function conv2dGeometry(N: number, C: number, M: number, group: number, g: SpatialGeometry): Conv2dGeometry {
  const r = g.inDims.length, two = r === 2;
  return {
    N, C, M, group,
    H: two ? g.inDims[0]! : 1, W: g.inDims[r - 1]!,
    KH: two ? g.kernel[0]! : 1, KW: g.kernel[r - 1]!,
    sh: two ? g.strides[0]! : 1, sw: g.strides[r - 1]!,
    ph: two ? g.padsBegin[0]! : 0, pw: g.padsBegin[r - 1]!,
    dh: two ? g.dilations[0]! : 1, dw: g.dilations[r - 1]!,
    OH: two ? g.outDims[0]! : 1, OW: g.outDims[r - 1]!,
  };
}

/** The conv geometry as a fresh plain literal with room for the call's arrays (one object shape). */
export function convArgsOf(g: Conv2dGeometry): Conv2dGeometry & Record<string, unknown> {
  return {
    N: g.N, C: g.C, H: g.H, W: g.W, M: g.M, group: g.group, KH: g.KH, KW: g.KW, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw,
    dh: g.dh, dw: g.dw, OH: g.OH, OW: g.OW, x: undefined, packed: undefined, w: undefined, bias: undefined, y: undefined, act: undefined, residual: undefined, sync: undefined,
  };
}

/** The addon's activation code for a fused op's `activation` / `gelu_approximate`, or undefined (unknown: cpu). */
export function actCode(name: string, approximate = 'none'): NativeAct | undefined {
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
 * TypeScript loop). Crossovers measured in chains of 200 nodes (2026-11-23, positional addon calls,
 * ~2 us a call): about 512 elements for Add / Mul (native 3.6 us flat up to 1K, the TypeScript loop
 * 2.7 us at 256, 4.7 us at 1K), about 150 for Softmax (1.8 vs 2.3 us at 96, 4.4 vs 2.4 at 384), so
 * 256 for softmax, norms and activations; 1K for Transpose (8K elements: native 8.6 us, TypeScript
 * 22 us). $ONNXFLOW_NATIVE_MIN_ELEMS overrides all.
 */
export function minElems(kind: 'binary' | 'rowwise' = 'rowwise'): number {
  return kind === 'binary' ? tuning.minBinary : tuning.minRowwise;
}

/** Elements below which Transpose stays on the cpu kernel (1K; see minElems). */
export function minTransposeElems(): number {
  return tuning.minTranspose;
}

/**
 * Offsets per entry of the broadcast batch `batch` for operands with batch dims `dims[i]` and
 * matrices of `per[i]` elements (numpy broadcasting, right-aligned).
 */
export function batchOffsets(batch: number[], dims: number[][], per: number[]): Float64Array[] {
  let nb = 1;
  for (const d of batch) nb *= d;
  return dims.map((d, i) => {
    const out = new Float64Array(nb);
    walkOffsets(batch, broadcastStrides(d, batch).map((s) => s * per[i]!), out);
    return out;
  });
}

/**
 * Offset per entry of the broadcast batch `batch` of an operand whose batch axes have `dims` and
 * element strides `strides` (right-aligned; size-1 axes broadcast).
 */
export function stridedOffsets(batch: number[], dims: number[], strides: number[]): Float64Array {
  let nb = 1;
  for (const d of batch) nb *= d;
  const rank = batch.length, lead = rank - dims.length;
  const st = batch.map((_, ax) => (ax < lead || dims[ax - lead] === 1 ? 0 : strides[ax - lead]!));
  const out = new Float64Array(nb);
  walkOffsets(batch, st, out);
  return out;
}

export const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The cpu backend's kernel for an op (what the native kernels fall back to). */
export type CpuKernels = (op: string, opset: number, domain?: string) => KernelFn | undefined;

/** What every native kernel is made with, once per backend (nativeKernels in kernels/index.ts). */
export interface NativeEnv {
  readonly addon: NativeAddon;
  /** Float32 storage for output `index` of shape `dims` (the run's arena, else the addon's pool). */
  readonly out: (ctx: KernelContext, index: number, dims: readonly number[]) => Float32Array;
  /** The cpu kernel for `op` (in `domain`, default ai.onnx) on the same inputs; throws when there is none. */
  readonly fallback: (op: string, inputs: Inputs, ctx: KernelContext, domain?: string) => KernelResult;
  /** Precision of packed MatMul / Gemm weights. */
  readonly precision: Precision;
}

export function nativeEnv(addon: NativeAddon, cpu: CpuKernels, precision: Precision = 'fp32'): NativeEnv {
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
  return { addon, out, fallback, precision };
}
