import type { KernelConfig, KernelContext } from '../../../backend.js';
import { outArray } from '../alloc.js';
import { allocData, isBigIntType, isFloatType, type NumericArray } from '../../../../ir/dtype.js';
import { Tensor } from '../../../../ir/tensor.js';
import { fromFloats, optTensor, readFloats, tensorAt } from '../../util/tensor.js';
import { gemm } from '../../util/gemm.js';
import { intGemm } from './matmul-int.js';

const TYPES = new Set(['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int64', 'uint32', 'uint64']);

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (M x K), B' = transB ? B^T : B (K x N)
 * and C (optional) broadcast unidirectionally to (M, N).
 */
export function gemmOp(a: Tensor, b: Tensor, c: Tensor | undefined, transA: boolean, transB: boolean, alpha: number, beta: number, ctx?: KernelContext): Tensor {
  const type = a.type;
  if (b.type !== type || (c && c.type !== type)) throw new Error(`input types differ: ${a.type}, ${b.type}${c ? `, ${c.type}` : ''}`);
  if (!TYPES.has(type)) throw new Error(`type ${type} is not supported`);
  if (a.dims.length !== 2 || b.dims.length !== 2) throw new Error(`A and B must be 2-D, got [${a.dims.join(',')}] and [${b.dims.join(',')}]`);
  const M = transA ? a.dims[1]! : a.dims[0]!;
  const K = transA ? a.dims[0]! : a.dims[1]!;
  const N = transB ? b.dims[0]! : b.dims[1]!;
  const K2 = transB ? b.dims[1]! : b.dims[0]!;
  if (K !== K2) throw new Error(`inner dimensions differ: A' is ${M}x${K}, B' is ${K2}x${N}`);
  const useC = c !== undefined && beta !== 0;
  let cRows = 1;
  let cCols = 1;
  if (useC) {
    const cd = c.dims;
    if (cd.length > 2) throw new Error(`C must have rank <= 2, got [${cd.join(',')}]`);
    cCols = cd.length >= 1 ? cd[cd.length - 1]! : 1;
    cRows = cd.length === 2 ? cd[0]! : 1;
    if ((cRows !== 1 && cRows !== M) || (cCols !== 1 && cCols !== N)) {
      throw new Error(`C of shape [${cd.join(',')}] does not broadcast to [${M},${N}]`);
    }
  }
  const isF = isFloatType(type);
  const half = type === 'float16' || type === 'bfloat16';
  const Y: any = half ? new Float32Array(M * N) : ctx ? outArray(ctx, 0, type, [M, N]) : allocData(type, M * N);
  if (isF) {
    if (useC) fillC(Y, readFloats(c) as Float32Array, cRows, cCols, M, N, beta);
    gemm({
      M, N, K, A: readFloats(a) as Float32Array, B: readFloats(b) as Float32Array, C: Y,
      transA, transB, alpha, beta: useC ? 1 : 0,
    });
    return half ? fromFloats(type, Y, [M, N]) : new Tensor(type, Y, [M, N]);
  }
  // Integers: exact product, then alpha / beta (exact when they are integral).
  intGemm(type, {
    M, N, K, A: a.data, aOffset: 0, sai: transA ? 1 : K, sak: transA ? M : 1,
    B: b.data, bOffset: 0, sbk: transB ? 1 : N, sbj: transB ? K : 1, C: Y, cOffset: 0,
  });
  if (alpha !== 1 || useC) {
    const big = isBigIntType(type);
    const cd: any = useC ? c.data : undefined;
    const intAlpha = Number.isInteger(alpha) && Number.isInteger(beta);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const i = m * N + n;
        const cv = useC ? cd[(cRows === 1 ? 0 : m) * cCols + (cCols === 1 ? 0 : n)] : undefined;
        if (big) {
          if (intAlpha) Y[i] = BigInt(alpha) * Y[i] + (useC ? BigInt(beta) * cv : 0n);
          else Y[i] = BigInt(Math.trunc(alpha * Number(Y[i]) + (useC ? beta * Number(cv) : 0)));
        } else {
          Y[i] = alpha * Y[i] + (useC ? beta * cv : 0);
        }
      }
    }
  }
  return new Tensor(type, Y as NumericArray, [M, N]);
}

function fillC(Y: Float32Array | Float64Array, C: ArrayLike<number>, cRows: number, cCols: number, M: number, N: number, beta: number): void {
  for (let m = 0; m < M; m++) {
    const cr = (cRows === 1 ? 0 : m) * cCols;
    const yr = m * N;
    if (cCols === 1) Y.fill(beta * C[cr]!, yr, yr + N);
    else for (let n = 0; n < N; n++) Y[yr + n] = beta * C[cr + n]!;
  }
}

/**
 * Gemm: general matrix multiply with optional transposes, alpha / beta and a C that broadcasts to
 * (M, N) (optional from opset 11; the opset < 7 `broadcast` attribute is subsumed).
 */
export const gemmConfig: KernelConfig = {
  opType: 'Gemm',
  kernel: (inputs, ctx) => [gemmOp(
    tensorAt(inputs, 0, 'A'),
    tensorAt(inputs, 1, 'B'),
    optTensor(inputs, 2),
    ctx.attrs.int('transA', 0) !== 0,
    ctx.attrs.int('transB', 0) !== 0,
    ctx.attrs.float('alpha', 1),
    ctx.attrs.float('beta', 1),
    ctx,
  )],
};
