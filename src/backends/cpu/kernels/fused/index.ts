// Internal fused ops (domain com.onnxflow) the graph optimizer emits; see docs/optimizer.md.
import type { KernelConfig } from '../../../backend.js';
import { fusedGeluConfig, quickGeluConfig, siluConfig } from './Activations.js';
import { fusedAttentionConfig } from './FusedAttention.js';
import { fusedConvConfig } from './FusedConv.js';
import { fusedGemmConfig } from './FusedGemm.js';
import { fusedGroupNormConfig } from './FusedGroupNorm.js';
import { geGluConfig } from './GeGLU.js';
import { fusedLayerNormConfig, skipLayerNormConfig } from './FusedLayerNorm.js';

export const fusedKernels: KernelConfig[] = [fusedGemmConfig, fusedConvConfig, fusedAttentionConfig, fusedGroupNormConfig, siluConfig, fusedGeluConfig, quickGeluConfig, geGluConfig, fusedLayerNormConfig, skipLayerNormConfig];
