import type { KernelConfig } from '../../../backend.js';
import { fromFloats, readFloats, tensorAt } from '../../util/tensor.js';
import { outArray } from '../alloc.js';
import { FUSED_DOMAIN, activationFn, geluErf, geluTanh, silu } from './common.js';

const FLOATS = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** float32/float64 results go straight to the output's storage (read x[i], then write out[i]: in-place safe). */
const direct = (t: string): boolean => t === 'float32' || t === 'float64';

/** com.onnxflow SiLU(X): x * sigmoid(x), the fusion of Mul(x, Sigmoid(x)). */
export const siluConfig: KernelConfig = {
  opType: 'SiLU',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    if (!FLOATS.has(x.type)) throw new Error(`X must be a float tensor, got ${x.type}`);
    const src = readFloats(x) as ArrayLike<number>;
    const out = direct(x.type) ? outArray(ctx, 0, x.type, x.dims) as Float32Array | Float64Array : new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = silu(src[i]!);
    return [fromFloats(x.type, out, x.dims)];
  },
};

/** com.onnxflow Gelu(X) with `approximate` 'none' (erf) or 'tanh': the fusion of the exported GELU subgraphs. */
export const fusedGeluConfig: KernelConfig = {
  opType: 'Gelu',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    if (!FLOATS.has(x.type)) throw new Error(`X must be a float tensor, got ${x.type}`);
    const approximate = ctx.attrs.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`approximate must be 'none' or 'tanh', got '${approximate}'`);
    const fn = approximate === 'tanh' ? geluTanh : geluErf;
    const src = readFloats(x) as ArrayLike<number>;
    const out = direct(x.type) ? outArray(ctx, 0, x.type, x.dims) as Float32Array | Float64Array : new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = fn(src[i]!);
    return [fromFloats(x.type, out, x.dims)];
  },
};

/**
 * com.onnxflow QuickGelu(X) with `alpha` (default 1.702): x * sigmoid(alpha * x), the fusion of
 * Mul(x, Sigmoid(Mul(x, alpha))) (CLIP's quick_gelu); rounds to float32 after each step as those ops do.
 */
export const quickGeluConfig: KernelConfig = {
  opType: 'QuickGelu',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    if (x.type !== 'float32') throw new Error(`X must be float32, got ${x.type}`);
    // the same epilogue FusedGemm applies for activation 'QuickGelu'
    const fn = activationFn('QuickGelu', 'none', ctx.attrs.float('alpha', 1.702))!;
    const src = x.data as Float32Array;
    const out = outArray(ctx, 0, 'float32', x.dims) as Float32Array;
    for (let i = 0; i < src.length; i++) out[i] = fn(src[i]!);
    return [fromFloats(x.type, out, x.dims)];
  },
};
