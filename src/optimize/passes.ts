// The pass order, per level (onnxruntime's names). Every level includes the ones below it.
//   basic:    semantics-preserving rewrites in standard ops only (the result loads in any runtime),
//             including a per-channel bias Add folded into Conv's B and 2-D Transposes into Gemm
//   extended: fusions into com.onnxflow ops (Gelu, SiLU, QuickGelu, GeGLU, LayerNormalization,
//             FusedGroupNorm, FusedAttention (also from ai.onnx Attention), FusedGemm (also from
//             MatMul / FusedGemm reading Transposes), SkipLayerNormalization)
//   all:      + activation epilogues folded into FusedGemm / FusedGroupNorm / Conv (→ FusedConv)

import { eliminateCommonSubexpressions } from './cse.js';
import { foldConstants } from './constant-fold.js';
import type { OptimizationLevel, Pass } from './context.js';
import { eliminateDeadCode } from './dce.js';
import { fuseAttention } from './fuse-attention.js';
import { foldConvBias, fuseConvActivation } from './fuse-conv.js';
import { fuseGelu } from './fuse-gelu.js';
import { fuseGeGLU } from './fuse-geglu.js';
import { fuseGemm, fuseGemmActivation } from './fuse-gemm.js';
import { fuseResidual } from './fuse-residual.js';
import { fuseGroupNorm, fuseGroupNormActivation } from './fuse-groupnorm.js';
import { fuseLayerNorm, fuseSkipLayerNorm } from './fuse-layernorm.js';
import { fuseOnnxAttention } from './fuse-onnx-attention.js';
import { fuseQuickGelu, fuseSiLU } from './fuse-silu.js';
import { foldTransposeIntoGemm, fuseTransposeMatMul } from './fuse-transpose-matmul.js';
import { eliminateIdentities } from './identity.js';
import { foldShapeChains } from './shape-fold.js';
import { mergeTransposeReshape } from './transpose-reshape.js';

export interface NamedPass {
  name: string;
  run: Pass;
}

/** Run in order, repeated until nothing changes (at most a few rounds). */
export const BASIC: NamedPass[] = [
  { name: 'identity-elimination', run: eliminateIdentities },
  { name: 'shape-chain-folding', run: foldShapeChains },
  { name: 'constant-folding', run: foldConstants },
  { name: 'cse', run: eliminateCommonSubexpressions },
  { name: 'transpose-reshape-merge', run: mergeTransposeReshape },
  { name: 'gemm-transpose-fold', run: foldTransposeIntoGemm },
  { name: 'conv-bias-fold', run: foldConvBias },
  { name: 'dce', run: eliminateDeadCode },
];

/** Run once each, in order, after the basic rounds. */
export const EXTENDED: NamedPass[] = [
  { name: 'gelu-fusion', run: fuseGelu },
  { name: 'silu-fusion', run: fuseSiLU },
  { name: 'quickgelu-fusion', run: fuseQuickGelu },
  { name: 'geglu-fusion', run: fuseGeGLU },
  { name: 'layernorm-fusion', run: fuseLayerNorm },
  { name: 'groupnorm-fusion', run: fuseGroupNorm },
  { name: 'attention-fusion', run: fuseAttention },
  { name: 'onnx-attention-fusion', run: fuseOnnxAttention },
  { name: 'gemm-fusion', run: fuseGemm },
  { name: 'matmul-transpose-fusion', run: fuseTransposeMatMul },
  { name: 'skip-layernorm-fusion', run: fuseSkipLayerNorm },
  { name: 'dce', run: eliminateDeadCode },
];

export const ALL: NamedPass[] = [
  { name: 'gemm-activation-fusion', run: fuseGemmActivation },
  { name: 'groupnorm-activation-fusion', run: fuseGroupNormActivation },
  { name: 'conv-activation-fusion', run: fuseConvActivation },
  { name: 'residual-fusion', run: fuseResidual },
];

export function passesFor(level: OptimizationLevel): { rounds: NamedPass[]; once: NamedPass[] } {
  if (level === 'disabled') return { rounds: [], once: [] };
  return { rounds: BASIC, once: level === 'basic' ? [] : level === 'extended' ? EXTENDED : [...EXTENDED, ...ALL] };
}
