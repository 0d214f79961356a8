// The native backend's kernel table: float32 kernels on the C++ addon, one file per op in this folder,
// found by ONNX name: MatMul, Gemm, Conv, ConvTranspose, Attention, the optimizer's fused ops
// (com.onnxflow FusedGemm / FusedConv / FusedAttention / FusedGroupNorm / LayerNormalization /
// SkipLayerNormalization / GeGLU / Gelu / SiLU), the ONNX Gelu, Softmax / LogSoftmax, LayerNormalization,
// InstanceNormalization, MaxPool / AveragePool, Transpose and broadcasting Add / Sub / Mul / Div. Each
// returns its values at once after a sync job (small work, on the JS thread) or a Promise of them (the
// work runs off the JS thread); shapes, attributes and dtypes it does not take go to the cpu kernel.
// What they share is in ../env.ts.

import type { KernelConfig } from '../../backend.js';
import type { NativeAddon } from '../addon.js';
import { FUSED, nativeEnv, readTuning, type CpuKernels, type Precision } from '../env.js';
import { transpose } from './Transpose.js';
import { attention } from './Attention.js';
import { matMul } from './MatMul.js';
import { gemm } from './Gemm.js';
import { conv } from './Conv.js';
import { convTranspose } from './ConvTranspose.js';
import { poolKernels } from './pool.js';
import { instanceNormalization } from './InstanceNormalization.js';
import { softmaxKernels } from './Softmax.js';
import { fusedLayerNormalization, layerNormalization } from './LayerNormalization.js';
import { binaryKernels } from './binary.js';
import { fusedGemm } from './FusedGemm.js';
import { fusedConv } from './FusedConv.js';
import { fusedAttention } from './FusedAttention.js';
import { fusedGroupNorm } from './FusedGroupNorm.js';
import { skipLayerNormalization } from './SkipLayerNormalization.js';
import { geGlu } from './GeGLU.js';
import { activationKernels } from './activations.js';

export function nativeKernels(addon: NativeAddon, cpu: CpuKernels, precision: Precision = 'fp32'): KernelConfig[] {
  readTuning();
  const env = nativeEnv(addon, cpu, precision);
  const pool = poolKernels(env), softmax = softmaxKernels(env), binary = binaryKernels(env), act = activationKernels(env);
  return [
    { opType: 'Transpose', kernel: transpose(env) },
    { opType: 'Attention', sinceVersion: 23, kernel: attention(env) },
    { opType: 'MatMul', kernel: matMul(env) },
    { opType: 'Gemm', kernel: gemm(env) },
    { opType: 'Conv', kernel: conv(env) },
    { opType: 'ConvTranspose', kernel: convTranspose(env) },
    { opType: 'MaxPool', kernel: pool.maxPool },
    { opType: 'AveragePool', kernel: pool.averagePool },
    { opType: 'InstanceNormalization', kernel: instanceNormalization(env) },
    { opType: 'Softmax', sinceVersion: 13, kernel: softmax.softmax },
    { opType: 'LogSoftmax', sinceVersion: 13, kernel: softmax.logSoftmax },
    { opType: 'LayerNormalization', sinceVersion: 17, kernel: layerNormalization(env) },
    { opType: 'Add', sinceVersion: 7, kernel: binary.add },
    { opType: 'Sub', sinceVersion: 7, kernel: binary.sub },
    { opType: 'Mul', sinceVersion: 7, kernel: binary.mul },
    { opType: 'Div', sinceVersion: 7, kernel: binary.div },
    { opType: 'FusedGemm', domain: FUSED, kernel: fusedGemm(env) },
    { opType: 'FusedConv', domain: FUSED, kernel: fusedConv(env) },
    { opType: 'FusedAttention', domain: FUSED, kernel: fusedAttention(env) },
    { opType: 'FusedGroupNorm', domain: FUSED, kernel: fusedGroupNorm(env) },
    { opType: 'LayerNormalization', domain: FUSED, kernel: fusedLayerNormalization(env) },
    { opType: 'SkipLayerNormalization', domain: FUSED, kernel: skipLayerNormalization(env) },
    { opType: 'GeGLU', domain: FUSED, kernel: geGlu(env) },
    { opType: 'SiLU', domain: FUSED, kernel: act.silu },
    { opType: 'Gelu', domain: FUSED, kernel: act.gelu },
    { opType: 'Gelu', sinceVersion: 20, kernel: act.onnxGelu },
  ];
}
