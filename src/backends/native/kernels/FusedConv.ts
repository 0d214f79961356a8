// com.onnxflow FusedConv: Conv (convLike, Conv.ts) with its bias + activation (`activation`,
// `gelu_approximate`) in the GEMM epilogue; an activation the addon has no code for runs the cpu kernel.

import type { KernelFn } from '../../backend.js';
import { FUSED, actCode, type NativeEnv } from '../env.js';
import { convLike } from './Conv.js';

export function fusedConv(env: NativeEnv): KernelFn {
  const like = convLike(env);
  return (inputs, ctx) =>
    like('FusedConv', FUSED, actCode(ctx.attrs.string('activation', ''), ctx.attrs.string('gelu_approximate', 'none')), inputs, ctx);
}
