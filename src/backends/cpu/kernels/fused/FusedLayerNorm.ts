import type { KernelConfig } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../util/tensor.js';
import { outArray } from '../alloc.js';
import { FUSED_DOMAIN, checkF32 } from './common.js';

const f = Math.fround;

/**
 * Normalize rows of length D (the last axis) of X into Y: (x - mean) / sqrt(var + eps) * gamma + beta,
 * rounded to float32 at each step exactly where torch's primitive spelling (ReduceMean, Sub, Pow,
 * ReduceMean, Add, Sqrt, Div, Mul, Add) rounds.
 */
function layerNormRows(X: Float32Array, Y: Float32Array, D: number, gamma: Float32Array, beta: Float32Array | undefined, eps: number): void {
  const d = new Float64Array(D);
  for (let o = 0; o < X.length; o += D) {
    let sum = 0;
    for (let i = 0; i < D; i++) sum += X[o + i]!;
    const mean = f(sum / D);
    let sq = 0;
    for (let i = 0; i < D; i++) { const v = f(X[o + i]! - mean); d[i] = v; sq += f(v * v); }
    const std = f(Math.sqrt(f(f(sq / D) + eps)));
    for (let i = 0; i < D; i++) {
      const y = f(f(d[i]! / std) * gamma[i]!);
      Y[o + i] = beta ? f(y + beta[i]!) : y;
    }
  }
}

function params(x: Tensor, gamma: Tensor, beta: Tensor | undefined): number {
  checkF32(x, 'X');
  checkF32(gamma, 'gamma');
  if (beta) checkF32(beta, 'beta');
  if (x.rank < 1) throw new Error('X must have rank >= 1');
  const D = x.dims[x.rank - 1]!;
  if (gamma.size !== D || (beta && beta.size !== D)) throw new Error(`gamma and beta must have ${D} values (X's last dim)`);
  return D;
}

/**
 * com.onnxflow LayerNormalization(X, gamma [D], beta? [D]): layer normalization over the last axis,
 * the optimizer's fusion of torch's opset < 17 spelling with primitives (rounds as those ops do).
 */
export const fusedLayerNormConfig: KernelConfig = {
  opType: 'LayerNormalization',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const gamma = tensorAt(inputs, 1, 'gamma');
    const beta = optTensor(inputs, 2);
    const D = params(x, gamma, beta);
    const Y = outArray(ctx, 0, 'float32', x.dims) as Float32Array;
    if (D > 0) layerNormRows(x.data as Float32Array, Y, D, gamma.data as Float32Array, beta?.data as Float32Array | undefined, ctx.attrs.float('epsilon', 1e-5));
    return [new Tensor('float32', Y, x.dims)];
  },
};

/**
 * com.onnxflow SkipLayerNormalization(A, B, gamma [D], beta? [D]) → (Y, S): S = A + B (same shape,
 * float32 as Add rounds), Y = layer normalization of S over the last axis; the optimizer's fusion of
 * a residual Add followed by a layer norm (S is the second output when the sum is read elsewhere).
 */
export const skipLayerNormConfig: KernelConfig = {
  opType: 'SkipLayerNormalization',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const a = tensorAt(inputs, 0, 'A');
    const b = tensorAt(inputs, 1, 'B');
    const gamma = tensorAt(inputs, 2, 'gamma');
    const beta = optTensor(inputs, 3);
    checkF32(b, 'B');
    const D = params(a, gamma, beta);
    if (a.rank !== b.rank || a.dims.some((d, i) => d !== b.dims[i])) throw new Error(`A and B must have the same shape, got [${a.dims.join(',')}] and [${b.dims.join(',')}]`);
    const A = a.data as Float32Array;
    const B = b.data as Float32Array;
    const S = outArray(ctx, 1, 'float32', a.dims) as Float32Array;
    for (let i = 0; i < S.length; i++) S[i] = A[i]! + B[i]!;
    const Y = outArray(ctx, 0, 'float32', a.dims) as Float32Array;
    if (D > 0) layerNormRows(S, Y, D, gamma.data as Float32Array, beta?.data as Float32Array | undefined, ctx.attrs.float('epsilon', 1e-5));
    return [new Tensor('float32', Y, a.dims), new Tensor('float32', S, a.dims)];
  },
};
