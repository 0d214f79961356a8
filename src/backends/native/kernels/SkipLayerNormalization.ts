// com.onnxflow SkipLayerNormalization(X, B, gamma, beta?): layer norm of X + B over the last axis, with the
// sum as output 1 (layerNormLike, LayerNormalization.ts; large float32 tensors, small ones stay on the cpu kernel).

import type { KernelFn } from '../../backend.js';
import { FUSED, type NativeEnv } from '../env.js';
import { layerNormLike } from './LayerNormalization.js';

export function skipLayerNormalization(env: NativeEnv): KernelFn {
  const like = layerNormLike(env);
  return (i, c) => like('SkipLayerNormalization', FUSED, i, c, true);
}
