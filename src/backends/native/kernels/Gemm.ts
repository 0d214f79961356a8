// Gemm: Y = alpha * A' B' + beta * C; C folded into the epilogue as a row/column bias when it is a vector.

import type { KernelContext, KernelFn, KernelResult } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../cpu/util/tensor.js';
import { cachedPack, type Packed } from '../pack-cache.js';
import { after, matmulPack, minFlops, syncFor, type NativeEnv } from '../env.js';

export function gemm({ addon, out, fallback, precision }: NativeEnv): KernelFn {
  function runGemm(ctx: KernelContext, a: Tensor, b: Tensor, c: Tensor | undefined, cRows: number, cCols: number, M: number, N: number, K: number, transA: boolean, transB: boolean, alpha: number, beta: number): KernelResult {
    const Y = out(ctx, 0, [M, N]);
    // B as (n, k): transB stores [N, K] (n at stride K), else [K, N] (n at stride 1, k at stride N);
    // packed as MatMul packs its B (the same panels, shared in the cache)
    const bRs = transB ? K : 1, bKs = transB ? 1 : N;
    const recipe = matmulPack(addon, b, transB, precision);
    const packed = cachedPack(b, recipe.key, recipe.pack);
    // packed panels in hand (or none): no await, so a sync product returns its values at once
    if (packed instanceof Promise) return packed.then((p) => product(a, b, c, cRows, cCols, M, N, K, transA, bRs, bKs, alpha, beta, Y, p));
    return product(a, b, c, cRows, cCols, M, N, K, transA, bRs, bKs, alpha, beta, Y, packed);
  }

  function product(a: Tensor, b: Tensor, c: Tensor | undefined, cRows: number, cCols: number, M: number, N: number, K: number, transA: boolean, bRs: number, bKs: number, alpha: number, beta: number, Y: Float32Array, packed: Packed | undefined): KernelResult {
    const A = a.data as Float32Array;
    const b0 = packed ?? (b.data as Float32Array), bPacked = packed !== undefined, bf16 = packed instanceof Uint16Array;
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
    return after(addon.gemm({
      M, N, K, a: A, aRs: transA ? 1 : K, aKs: transA ? M : 1, alpha, b: b0, bPacked, bf16, bRs, bKs, c: Y, accumulate, rowBias, colBias,
      sync: syncFor(2 * M * N * K),
    }), () => [new Tensor('float32', Y, [M, N])]);
  }

  return (inputs, ctx) => {
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
}
