import type { KernelConfig, KernelContext } from '../../../backend.js';
import { outArray } from '../alloc.js';
import { allocData, isFloatType, type NumericArray } from '../../../../ir/dtype.js';
import { Tensor } from '../../../../ir/tensor.js';
import { broadcastShapes, broadcastStrides } from '../../util/broadcast.js';
import { fromFloats, readFloats, tensorAt } from '../../util/tensor.js';
import { gemm } from '../../util/gemm.js';
import { intGemm } from './matmul-int.js';

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const INT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'int8', 'uint8', 'int16', 'uint16']);

/**
 * numpy.matmul of two tensors of one numeric type: batch broadcasting, 1-D operands promoted and
 * squeezed. With `ctx`, the result is stored through `ctx.alloc` as output 0.
 */
export function matmul(a: Tensor, b: Tensor, ctx?: KernelContext, trans: { a?: boolean; b?: boolean } = {}): Tensor {
  if (a.type !== b.type) throw new Error(`input types differ: ${a.type} and ${b.type}`);
  const type = a.type;
  if (!FLOAT_TYPES.has(type) && !INT_TYPES.has(type)) throw new Error(`type ${type} is not supported`);
  if (a.dims.length === 0 || b.dims.length === 0) throw new Error('MatMul operands must have rank >= 1');
  const tA = !!trans.a, tB = !!trans.b;
  if ((tA || tB) && !isFloatType(type)) throw new Error(`transposed operands need a float type, got ${type}`);
  if ((tA && a.dims.length < 2) || (tB && b.dims.length < 2)) throw new Error('a transposed operand must have rank >= 2');
  // Logical (transposed) shapes; the data stays where it lies and the GEMM reads it with strides.
  const swap = (d: readonly number[]) => [...d.slice(0, -2), d[d.length - 1]!, d[d.length - 2]!];
  const aD = a.dims.length === 1 ? [1, a.dims[0]!] : tA ? swap(a.dims) : a.dims;
  const bD = b.dims.length === 1 ? [b.dims[0]!, 1] : tB ? swap(b.dims) : b.dims;
  const M = aD[aD.length - 2]!;
  const K = aD[aD.length - 1]!;
  const N = bD[bD.length - 1]!;
  if (bD[bD.length - 2] !== K) {
    throw new Error(`inner dimensions differ: A is [${a.dims.join(',')}], B is [${b.dims.join(',')}]`);
  }
  const aBatch = aD.slice(0, -2);
  const bBatch = bD.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  let nb = 1;
  for (const d of batch) nb *= d;
  const outDims = [...batch];
  if (a.dims.length > 1) outDims.push(M);
  if (b.dims.length > 1) outDims.push(N);
  const total = nb * M * N;

  const half = type === 'float16' || type === 'bfloat16';
  const isF = isFloatType(type);
  const A = (isF ? readFloats(a) : a.data) as NumericArray;
  const B = (isF ? readFloats(b) : b.data) as NumericArray;
  const C = (half ? new Float32Array(total) : ctx ? outArray(ctx, 0, type, outDims) : allocData(type, total)) as NumericArray;
  if (total > 0) {
    // Matrix offsets of A and B for each output batch (broadcast strides in whole matrices).
    const sa = broadcastStrides(aBatch, batch);
    const sb = broadcastStrides(bBatch, batch);
    const bConst = sb.every((s) => s === 0);
    const aFull = aBatch.length === batch.length && aBatch.every((d, i) => d === batch[i]);
    if (bConst && aFull && isF && !tA) {
      // B shared by every batch: one (nb*M x K) by (K x N) product over A's contiguous rows.
      gemm({ M: nb * M, N, K, A: A as Float32Array, B: B as Float32Array, transB: tB, ldb: tB ? K : N, C: C as Float32Array });
    } else {
      const rank = batch.length;
      const cnt = new Array<number>(rank).fill(0);
      let ai = 0;
      let bi = 0;
      for (let t = 0; t < nb; t++) {
        if (isF) {
          gemm({
            M, N, K, A: A as Float32Array, aOffset: ai * M * K, transA: tA, lda: tA ? M : K,
            B: B as Float32Array, bOffset: bi * K * N, transB: tB, ldb: tB ? K : N, C: C as Float32Array, cOffset: t * M * N,
          });
        }
        else intGemm(type, { M, N, K, A, aOffset: ai * M * K, sai: K, sak: 1, B, bOffset: bi * K * N, sbk: N, sbj: 1, C, cOffset: t * M * N });
        for (let ax = rank - 1; ax >= 0; ax--) {
          cnt[ax]!++;
          ai += sa[ax]!;
          bi += sb[ax]!;
          if (cnt[ax]! < batch[ax]!) break;
          ai -= sa[ax]! * batch[ax]!;
          bi -= sb[ax]! * batch[ax]!;
          cnt[ax] = 0;
        }
      }
    }
  }
  if (half) return fromFloats(type, C as Float32Array, outDims);
  return new Tensor(type, C, outDims);
}

/** MatMul: numpy-style matrix product with batch broadcasting (float and integer types). */
export const matMulConfig: KernelConfig = {
  opType: 'MatMul',
  kernel: (inputs, ctx) => [matmul(tensorAt(inputs, 0, 'A'), tensorAt(inputs, 1, 'B'), ctx)],
};
