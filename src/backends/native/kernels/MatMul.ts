// MatMul / FusedGemm: numpy matmul with batch broadcasting; constant B packed once. FusedGemm
// adds transA / transB (swap the operand's last two axes) and a bias + activation epilogue
// (FusedGemm.ts, on matMulLike from here).

import type { KernelContext, KernelFn, KernelResult } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { broadcastShapes } from '../../cpu/util/broadcast.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { NativeAct, type Done } from '../addon.js';
import { cachedPack, type Packed } from '../pack-cache.js';
import { after, batchOffsets, matmulPack, minFlops, packedFloats, sameDims, syncFor, type Inputs, type NativeEnv } from '../env.js';

/**
 * `post`: an activation the addon has no code for (QuickGelu), applied in place after the product;
 * `residual`: added after the activation (FusedGemm's 4th input; the output's dims).
 */
export interface MatMulOpts { transA: boolean; transB: boolean; bias?: Float32Array; act: NativeAct; post?: (v: number) => number; residual?: Tensor }
const plainOpts: MatMulOpts = { transA: false, transB: false, act: NativeAct.None };

/** MatMul / FusedGemm of inputs A, B: `opts` undefined (an activation the addon lacks) or shapes it does not take run the cpu `op` in `domain`. */
export type MatMulLike = (op: string, domain: string, opts: MatMulOpts | undefined, inputs: Inputs, ctx: KernelContext) => KernelResult;

export function matMulLike({ addon, out, fallback, precision }: NativeEnv): MatMulLike {
  function runMatMul(ctx: KernelContext, a: Tensor, b: Tensor, M: number, K: number, N: number, aBatch: number[], bBatch: number[], batch: number[], nb: number, outDims: number[], opts: MatMulOpts): KernelResult {
    const C = out(ctx, 0, outDims);
    const recipe = matmulPack(addon, b, opts.transB, precision);
    const packed = cachedPack(b, recipe.key, recipe.pack);
    // packed panels in hand (or none): no await, so a sync product returns its values at once
    if (packed instanceof Promise) return packed.then((p) => product(a, b, C, p, M, K, N, aBatch, bBatch, batch, nb, outDims, opts));
    return product(a, b, C, packed, M, K, N, aBatch, bBatch, batch, nb, outDims, opts);
  }

  function product(a: Tensor, b: Tensor, C: Float32Array, packed: Packed | undefined, M: number, K: number, N: number, aBatch: number[], bBatch: number[], batch: number[], nb: number, outDims: number[], opts: MatMulOpts): KernelResult {
    const A = a.data as Float32Array, nr = addon.info().nr;
    // B as rows n x K: [K, N] has n at stride 1, k at stride N; transposed [N, K] the reverse.
    const bRs = opts.transB ? K : 1, bKs = opts.transB ? 1 : N;
    const aRs = opts.transA ? 1 : K, aKs = opts.transA ? M : 1;
    const bPer = packed ? packedFloats(N, K, nr) : K * N;
    // Argument objects are plain literals of one shape: a spread (`{ ...x }`) costs several microseconds
    // per call in V8, more than a small product.
    // B's own data only when it is not packed (a packed weight's original may be released: tensor.ts)
    const b0 = packed ?? (b.data as Float32Array), bPacked = packed !== undefined, bf16 = packed instanceof Uint16Array, colBias = opts.bias, act = opts.act;
    const residual = opts.residual?.data as Float32Array | undefined;
    const sync = syncFor(2 * nb * M * N * K);
    let nbB = 1;
    for (const d of bBatch) nbB *= d;
    const bConst = nbB === 1;  // one B for every batch entry
    const aFull = sameDims(aBatch, batch);
    let done: Done;
    if (bConst && aFull && !opts.transA) {
      // One B for every batch: a single (nb*M x K) by (K x N) product over A's contiguous rows.
      done = addon.gemm({ M: nb * M, N, K, a: A, aRs: K, aKs: 1, b: b0, bPacked, bf16, bRs, bKs, c: C, colBias, act, residual, sync });
    } else {
      const [aOff, bOff] = batchOffsets(batch, [aBatch, bBatch], [M * K, bPer]);
      done = addon.gemm({ M, N, K, batch: nb, a: A, aRs, aKs, aOffsets: aOff, b: b0, bPacked, bf16, bRs, bKs, bOffsets: bOff, c: C, colBias, act, residual, sync });
    }
    return after(done, () => {
      const post = opts.post;
      if (post) for (let i = 0; i < C.length; i++) C[i] = post(C[i]!);
      return [new Tensor('float32', C, outDims)];
    });
  }

  return (op, domain, opts, inputs, ctx) => {
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
    const r = opts.residual;
    if (r && (r.type !== 'float32' || opts.post || !sameDims(r.dims, outDims))) return fb();
    return runMatMul(ctx, a, b, M, K, N, aBatch, bBatch, batch, nb, outDims, opts);
  };
}

export function matMul(env: NativeEnv): KernelFn {
  const like = matMulLike(env);
  return (inputs, ctx) => like('MatMul', '', plainOpts, inputs, ctx);
}
