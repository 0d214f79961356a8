// Shared by the fused kernels: the `com.onnxflow` domain and the activation epilogues.

import type { Tensor } from '../../../../ir/tensor.js';
import { erfc } from '../math/special.js';
import { sigmoid } from '../activation/pointwise.js';

export const FUSED_DOMAIN = 'com.onnxflow';

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const geluErf = (v: number): number => 0.5 * v * erfc(-v * SQRT1_2);
export const geluTanh = (v: number): number => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
export const silu = (v: number): number => v / (1 + Math.exp(-v));
export const relu = (v: number): number => (v > 0 ? v : v === v ? 0 : v);  // NaN stays NaN, as ai.onnx Relu

/** The epilogue named by an `activation` attribute ('' for none). */
export function activationFn(name: string, approximate = 'none', alpha = 1.702): ((v: number) => number) | undefined {
  switch (name) {
    case '': return undefined;
    case 'Relu': return relu;
    case 'SiLU': return silu;
    case 'QuickGelu': {
      // x · sigmoid(alpha · x), rounded to float32 after each step as the QuickGelu op does
      const f = Math.fround, a = f(alpha);
      return (v) => f(v * f(sigmoid(f(v * a))));
    }
    case 'Gelu':
      if (approximate === 'tanh') return geluTanh;
      if (approximate === 'none') return geluErf;
      throw new Error(`gelu_approximate must be 'none' or 'tanh', got '${approximate}'`);
    default: throw new Error(`unknown activation '${name}' (expected Relu, Gelu, SiLU or QuickGelu)`);
  }
}

/**
 * y += residual (FusedGemm / FusedConv's residual connection, after the activation), element by
 * element in float32 exactly as the Add it replaces; the residual must have y's dims.
 */
export function addResidual(y: Float32Array, dims: readonly number[], residual: Tensor | undefined, op: string): void {
  if (!residual) return;
  checkF32(residual, 'residual');
  if (residual.dims.length !== dims.length || residual.dims.some((d, i) => d !== dims[i])) {
    throw new Error(`${op}: residual [${residual.dims.join(',')}] must have the output's dims [${dims.join(',')}]`);
  }
  const r = residual.data as Float32Array;
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + r[i]!;
}

export function checkF32(t: Tensor, what: string): void {
  if (t.type !== 'float32') throw new Error(`${what} must be float32, got ${t.type}`);
}
