import type { KernelConfig } from '../../../backend.js';
import { Tensor } from '../../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../util/tensor.js';
import { matmul } from '../linalg/MatMul.js';
import { FUSED_DOMAIN, activationFn, addResidual, checkF32 } from './common.js';

/** A float32 tensor with its last two axes swapped (rank >= 2). */
function swapLastTwo(t: Tensor, what: string): Tensor {
  if (t.rank < 2) throw new Error(`${what} must have rank >= 2 to be transposed, got [${t.dims.join(',')}]`);
  const R = t.dims[t.rank - 2]!;
  const C = t.dims[t.rank - 1]!;
  const src = t.data as Float32Array;
  const dst = new Float32Array(src.length);
  const mat = R * C;
  for (let o = 0; o < src.length; o += mat) {
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) dst[o + c * R + r] = src[o + r * C + c]!;
  }
  return new Tensor('float32', dst, [...t.dims.slice(0, -2), C, R]);
}

/**
 * com.onnxflow FusedGemm(A, B, bias?, residual?): activation(matmul(A', B') + bias) + residual, the
 * optimizer's fusion of MatMul + Add (+ Relu / Gelu / SiLU) (+ a residual connection's Add) and of
 * Transposes feeding a MatMul. A' is A with its last two
 * axes swapped when `transA` is 1 (else A), B' likewise with `transB`; then numpy matmul semantics
 * (as MatMul); bias has N = B''s last dim elements and broadcasts along the last axis. The bias is
 * added in float32 exactly as Add would.
 */
export const fusedGemmConfig: KernelConfig = {
  opType: 'FusedGemm',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    let a = tensorAt(inputs, 0, 'A');
    const b = tensorAt(inputs, 1, 'B');
    const bias = optTensor(inputs, 2);
    checkF32(a, 'A');
    const actName = ctx.attrs.string('activation', '');
    const act = activationFn(actName, ctx.attrs.string('gelu_approximate', 'none'), actName === 'QuickGelu' ? ctx.attrs.float('alpha', 1.702) : undefined);
    const transA = ctx.attrs.int('transA', 0) !== 0;
    const transB = ctx.attrs.int('transB', 0) !== 0;
    if (transB) checkF32(b, 'B');
    // A transposed B (a weight) is read in place by the strided GEMM, never copied; a transposed A
    // (an activation) is copied, which keeps the one-product path for a shared B and so the exact
    // rounding of the Transpose → MatMul it replaces.
    if (transA) a = swapLastTwo(a, 'A');
    const y = matmul(a, b, ctx, { b: transB });
    const Y = y.data as Float32Array;
    const N = y.dims.length ? y.dims[y.dims.length - 1]! : 1;
    if (bias) {
      checkF32(bias, 'bias');
      if (bias.size !== N) throw new Error(`bias must have ${N} elements, got [${bias.dims.join(',')}]`);
      const Bv = bias.data as Float32Array;
      for (let i = 0; i < Y.length; i += N) for (let j = 0; j < N; j++) Y[i + j] = Y[i + j]! + Bv[j]!;
    }
    if (act) for (let i = 0; i < Y.length; i++) Y[i] = act(Y[i]!);
    addResidual(Y, y.dims, optTensor(inputs, 3), 'FusedGemm');
    return [new Tensor('float32', Y, y.dims)];
  },
};
