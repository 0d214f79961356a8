// Loading the C++ addon (kernels/, built by `npm install` through scripts/build-native.mjs).
// A missing or broken addon is not an error here: it is reported with its reason and the
// `native` backend is then unavailable (sessions run on `cpu`).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Activation fused into the GEMM epilogue. */
export const NativeAct = { None: 0, Relu: 1, Gelu: 2, Silu: 3, GeluTanh: 4 } as const;
export type NativeAct = (typeof NativeAct)[keyof typeof NativeAct];

export interface NativeInfo {
  /** Microkernel in use: 'avx512' (14x32), 'avx2' (6x16) or 'scalar' (4x16). */
  isa: string;
  /** Rows of a packed A panel / columns of a packed B panel. */
  mr: number;
  nr: number;
  kc: number;
  /** Threads of the persistent pool (workers + the calling libuv thread). */
  threads: number;
  avx2: boolean;
  avx512: boolean;
  /** ISA paths this CPU can run, best first. */
  isas: string[];
}

/**
 * Every compute call takes `sync`: run on the calling (JS) thread instead of a libuv worker (for
 * small jobs, where the two thread hops cost more than the work); it then returns undefined when done
 * (or throws) instead of a promise. `await` takes either; `after(done, f)` (env.ts) continues without
 * a microtask hop when the job was sync.
 */
export interface SyncOpt { sync?: boolean }

/** What a compute call returns: a promise (async job) or undefined (a sync job, already done). */
export type Done = Promise<void> | undefined;

export interface GemmDesc extends SyncOpt {
  M: number; N: number; K: number; batch?: number;
  /** A as rows (m) x K: element (m, k) of batch t at a[aOffsets[t] + m * aRs + k * aKs]; or panels when aPacked. */
  a: Float32Array; aRs?: number; aKs?: number; aOffsets?: Float64Array; aPacked?: boolean; alpha?: number;
  /**
   * B as rows (n) x K: element (n, k) at b[bOffsets[t] + n * bRs + k * bKs]; or panels when bPacked;
   * bf16 panels (a Uint16Array from packPanels with bf16) when bf16.
   */
  b: Float32Array | Uint16Array; bRs?: number; bKs?: number; bOffsets?: Float64Array; bPacked?: boolean; bf16?: boolean;
  c: Float32Array; cOffsets?: Float64Array; ldc?: number;
  /** C += product (C already holds beta * C) instead of C = product. */
  accumulate?: boolean;
  rowBias?: Float32Array; colBias?: Float32Array; act?: NativeAct;
  /** + residual after the activation, laid out as c (same offsets and ldc): a fused residual connection. */
  residual?: Float32Array;
}

export interface Conv2dGeometry {
  N: number; C: number; H: number; W: number; M: number; group: number; KH: number; KW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; OH: number; OW: number;
}

export interface PackDesc extends SyncOpt {
  /** dst: a Uint16Array of bf16 panels (values rounded to nearest even) when bf16, else a Float32Array. */
  src: Float32Array; rs: number; ks: number; rows: number; K: number; P: number; dst: Float32Array | Uint16Array;
  count?: number; srcStride?: number; dstStride?: number; scale?: number; bf16?: boolean;
}

export interface NativeAddon {
  info(): NativeInfo;
  setIsa(name: string): boolean;
  /** Pool threads, and how many sync jobs ran on the JS thread alone because the pool was busy with another job. */
  poolStats(): { threads: number; serialFallbacks: number };
  attention(d: AttentionDesc): Done;
  /** n floats, uninitialized, from a recycling huge-page pool (for outputs the kernels fully write). */
  alloc(n: number): Float32Array;
  /** FMA throughput probe on every pool thread at once (GFLOP/s). */
  fmaPeak(o?: { isa?: string; seconds?: number }): Promise<{ isa: string; perThread: number[]; total: number }>;
  packPanels(d: PackDesc): Done;
  gemm(d: GemmDesc): Done;
  conv2dPackedSize(g: Conv2dGeometry): number;
  conv2dPackWeight(d: Conv2dGeometry & { sync?: boolean; w: Float32Array; packed: Float32Array }): Done;
  /** Y = act(conv(X) + bias) + residual (residual laid out as Y). */
  conv2d(d: Conv2dGeometry & { sync?: boolean; x: Float32Array; packed: Float32Array; bias?: Float32Array; y: Float32Array; act?: NativeAct; residual?: Float32Array }): Done;
  /** Depthwise conv (C / group == 1, W [M, 1, KH, KW] unpacked), bias and activation fused. */
  depthwise2d(d: Conv2dGeometry & { sync?: boolean; x: Float32Array; w: Float32Array; bias?: Float32Array; y: Float32Array; act?: NativeAct; residual?: Float32Array }): Done;
  /** (`act` and `residual` are read by the checks conv entry points share; ConvTranspose has no epilogue: leave them unset.) */
  convTranspose2d(d: Conv2dGeometry & { sync?: boolean; x: Float32Array; w: Float32Array; bias?: Float32Array; y: Float32Array; act?: NativeAct; residual?: Float32Array }): Done;
  pool2d(d: {
    sync?: boolean; x: Float32Array; y: Float32Array; planes: number; H: number; W: number; OH: number; OW: number; KH: number; KW: number;
    sh: number; sw: number; ph: number; pw: number; peh: number; pew: number; dh: number; dw: number; max: boolean; includePad: boolean;
  }): Done;
  /** Y = act(groupnorm(X [N, C, S]) * gamma + beta) over G groups. */
  groupNorm(d: { sync?: boolean; x: Float32Array; gamma: Float32Array; beta: Float32Array; y: Float32Array; N: number; C: number; S: number; G: number; eps: number; act?: NativeAct }): Done;
  /** Rows of D: s = a (+ b), y = layernorm(s) * gamma (+ beta); s to `sum`, per-row mean / 1/std when given. */
  layerNorm(d: { sync?: boolean; a: Float32Array; b?: Float32Array; gamma: Float32Array; beta?: Float32Array; y: Float32Array; sum?: Float32Array; mean?: Float32Array; invStd?: Float32Array; rows: number; D: number; eps: number }): Done;
  /** (Log)softmax over rows of D. */
  softmax(d: { sync?: boolean; x: Float32Array; y: Float32Array; rows: number; D: number; log?: boolean }): Done;
  /** y = act(x). */
  activation(d: { sync?: boolean; x: Float32Array; y: Float32Array; act: NativeAct }): Done;
  /** GeGLU over rows of 2n: y [rows, n] = x[:, :n] * act(x[:, n:]) (act Gelu or GeluTanh). */
  geglu(d: { sync?: boolean; x: Float32Array; y: Float32Array; rows: number; n: number; act: NativeAct }): Done;
  /** y (dense, dims) = x read with element strides xStrides (transposes). */
  stridedCopy(d: { sync?: boolean; x: Float32Array; y: Float32Array; dims: number[]; xStrides: number[] }): Done;
  /** y = a op b (0 add, 1 sub, 2 mul, 3 div) over dims with element strides (0 where broadcast; last axis 0 or 1). */
  binary(d: { sync?: boolean; a: Float32Array; b: Float32Array; y: Float32Array; dims: number[]; aStrides: number[]; bStrides: number[]; op: number }): Done;
}

/**
 * Fused attention over BH (batch, head) entries, each with its own offsets: Q (i, d) at
 * q[qo[t] + i * qs + d], K (j, d) at k[ko[t] + j * ks + d * kd], V (j, e) at v[vo[t] + j * vs + e],
 * Y (i, e) at y[yo[t] + i * ys + e]. Scores = scale * Q K^T, then where(cond == keep, ., fill), then
 * + mask, then causal (key j visible to query i iff j <= i + causalOffset), softmax, times V.
 */
export interface AttentionDesc extends SyncOpt {
  BH: number; Sq: number; Skv: number; D: number; Dv: number; scale: number; causal?: boolean; causalOffset?: number;
  q: Float32Array; k: Float32Array; v: Float32Array; y: Float32Array;
  qo: Float64Array; ko: Float64Array; vo: Float64Array; yo: Float64Array;
  qs: number; ks: number; kd?: number; vs: number; ys: number;
  mask?: Float32Array; mo?: Float64Array; mi?: number; mj?: number;
  cond?: Uint8Array; co?: Float64Array; ci?: number; cj?: number; fill?: number; keep?: boolean;
  /** A query row whose scores are all -inf: NaN (Softmax's 0 / 0) instead of zeros (Attention's rule). */
  maskedNan?: boolean;
}

export type NativeLoad = { available: true; addon: NativeAddon; path: string } | { available: false; reason: string };

const GEOMETRY = ['N', 'C', 'H', 'W', 'M', 'group', 'KH', 'KW', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw', 'OH', 'OW'] as const;
const CONV_IO = [...GEOMETRY, 'x', 'y', 'bias', 'act', 'residual'] as const;

/** Entry points called positionally, and the descriptor each takes (its keys type-check the lists). */
type PositionalName = 'packPanels' | 'gemm' | 'conv2dPackWeight' | 'conv2d' | 'depthwise2d' | 'convTranspose2d' | 'attention'
  | 'pool2d' | 'groupNorm' | 'layerNorm' | 'softmax' | 'activation' | 'geglu' | 'binary' | 'stridedCopy';
type DescOf<K extends PositionalName> = NativeAddon[K] extends (d: infer D) => unknown ? D : never;

/**
 * Every argument each entry point reads, in the order its positional variant takes them. The addon
 * reads a positional argument as a plain value where a property of the descriptor object costs a V8
 * lookup (a dozen or more per call: most of a small kernel's call overhead), so each entry point is
 * called through a wrapper that spreads the descriptor in this order. A key that is not in the
 * descriptor's type fails to compile; one the addon reads but this list lacks fails loudly on the first
 * call that reads it.
 */
const POSITIONAL: { [K in PositionalName]: readonly (keyof DescOf<K> & string)[] } = {
  packPanels: ['src', 'dst', 'rs', 'ks', 'rows', 'K', 'count', 'srcStride', 'dstStride', 'P', 'scale', 'bf16', 'sync'],
  gemm: ['M', 'N', 'K', 'batch', 'a', 'b', 'c', 'rowBias', 'colBias', 'aOffsets', 'bOffsets', 'cOffsets', 'aPacked', 'bPacked',
    'ldc', 'alpha', 'act', 'aRs', 'aKs', 'bRs', 'bKs', 'accumulate', 'residual', 'bf16', 'sync'],
  conv2dPackWeight: [...GEOMETRY, 'w', 'packed', 'sync'],
  conv2d: [...CONV_IO, 'packed', 'sync'],
  depthwise2d: [...CONV_IO, 'w', 'sync'],
  convTranspose2d: [...CONV_IO, 'w', 'sync'],
  attention: ['BH', 'Sq', 'Skv', 'D', 'Dv', 'scale', 'causal', 'causalOffset', 'qs', 'ks', 'kd', 'vs', 'ys', 'qo', 'ko', 'vo', 'yo',
    'q', 'k', 'v', 'y', 'mask', 'cond', 'mo', 'mi', 'mj', 'co', 'ci', 'cj', 'fill', 'keep', 'maskedNan', 'sync'],
  pool2d: ['planes', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'sh', 'sw', 'ph', 'pw', 'peh', 'pew', 'dh', 'dw', 'max', 'includePad', 'x', 'y', 'sync'],
  groupNorm: ['N', 'C', 'S', 'G', 'eps', 'act', 'x', 'gamma', 'beta', 'y', 'sync'],
  layerNorm: ['rows', 'D', 'eps', 'a', 'b', 'gamma', 'beta', 'y', 'sum', 'mean', 'invStd', 'sync'],
  softmax: ['rows', 'D', 'x', 'y', 'log', 'sync'],
  activation: ['act', 'x', 'y', 'sync'],
  geglu: ['rows', 'n', 'act', 'x', 'y', 'sync'],
  binary: ['op', 'dims', 'aStrides', 'bStrides', 'a', 'b', 'y', 'sync'],
  stridedCopy: ['dims', 'xStrides', 'x', 'y', 'sync'],
};

type Positional = (name: string, keys: string[]) => (...values: unknown[]) => Done;

/** Route each entry point of POSITIONAL through its positional variant (a generated spreader: `o.M, o.N, ...`). */
function usePositional(addon: NativeAddon): void {
  const positional = (addon as unknown as { positional?: Positional }).positional;
  if (typeof positional !== 'function') return;  // an older build: the object entry points stay
  const table = addon as unknown as Record<string, unknown>;
  for (const [name, keys] of Object.entries(POSITIONAL) as [string, readonly string[]][]) {
    if (!keys.every((k) => /^[A-Za-z_]\w*$/.test(k))) throw new Error(`bad key list for ${name}`);
    try {
      const fast = positional.call(addon, name, [...keys]);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from the identifier lists above only
      table[name] = new Function('f', `return function ${name}(o) { return f(${keys.map((k) => `o.${k}`).join(', ')}); };`)(fast);
    } catch {
      // code generation disallowed (--disallow-code-generation-from-strings) or an addon without this
      // entry point's positional form: the object entry point stays
    }
  }
}

const ADDON = 'onnxflow_native.node';

/** Where the addon may be: $ONNXFLOW_NATIVE_ADDON, else kernels/build/Release or build/Release of an ancestor. */
function candidates(): string[] {
  const env = process.env.ONNXFLOW_NATIVE_ADDON;
  if (env) return [resolve(env)];
  const out: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    out.push(join(dir, 'kernels', 'build', 'Release', ADDON), join(dir, 'build', 'Release', ADDON));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

let loaded: NativeLoad | undefined;

/** Load the addon once; never throws. */
export function loadNative(): NativeLoad {
  if (loaded) return loaded;
  if (process.env.ONNXFLOW_NATIVE === '0') {
    loaded = { available: false, reason: 'disabled by ONNXFLOW_NATIVE=0' };
    return loaded;
  }
  const paths = candidates();
  const path = paths.find((p) => existsSync(p));
  if (!path) {
    loaded = {
      available: false,
      reason: `addon ${ADDON} not built (looked for ${paths.slice(0, 2).join(', ')}, ...; run \`node scripts/build-native.mjs\`)`,
    };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    // info() is read on every kernel call: cache it (frozen) until the ISA is switched.
    const rawInfo = addon.info.bind(addon), rawSetIsa = addon.setIsa.bind(addon);
    let info: NativeInfo | undefined;
    addon.info = () => (info ??= Object.freeze(rawInfo()));
    addon.setIsa = (name: string) => {
      info = undefined;
      return rawSetIsa(name);
    };
    addon.info();
    usePositional(addon);
    loaded = { available: true, addon, path };
  } catch (e) {
    loaded = { available: false, reason: `addon ${path} failed to load: ${(e as Error)?.message ?? String(e)}` };
  }
  return loaded;
}
