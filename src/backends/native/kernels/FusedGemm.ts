// com.onnxflow FusedGemm: MatMul (matMulLike, MatMul.ts) with transA / transB (swap the operand's last two
// axes) and a bias + activation (+ residual, the 4th input) epilogue; QuickGelu, which the addon has no
// code for, runs after the product.

import type { KernelFn } from '../../backend.js';
import { optTensor } from '../../cpu/util/tensor.js';
import { activationFn } from '../../cpu/kernels/fused/common.js';
import { NativeAct } from '../addon.js';
import { FUSED, actCode, type NativeEnv } from '../env.js';
import { matMulLike } from './MatMul.js';

export function fusedGemm(env: NativeEnv): KernelFn {
  const like = matMulLike(env);
  return (inputs, ctx) => {
    const bias = optTensor(inputs, 2);
    const residual = optTensor(inputs, 3);
    const name = ctx.attrs.string('activation', '');
    const approx = ctx.attrs.string('gelu_approximate', 'none');
    // QuickGelu (CLIP's MLP) has no addon code: the product runs native, the activation after it
    const post = name === 'QuickGelu' ? activationFn(name, approx, ctx.attrs.float('alpha', 1.702)) : undefined;
    const act = post ? NativeAct.None : actCode(name, approx);
    const ok = act !== undefined && (!bias || bias.type === 'float32');
    const opts = ok ? {
      transA: ctx.attrs.int('transA', 0) !== 0, transB: ctx.attrs.int('transB', 0) !== 0,
      bias: bias ? (bias.data as Float32Array) : undefined, act: act!, post, residual,
    } : undefined;
    return like('FusedGemm', FUSED, opts, inputs, ctx);
  };
}
