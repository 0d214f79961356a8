// Session creation for the native backend (Backend.prepare): constant MatMul / FusedGemm / Gemm / Conv /
// FusedConv weights, of the main graph and of If / Loop / Scan bodies, packed into the active
// microkernel's panels before the first run, by the kernels' own recipes (env.ts): a bf16 session then
// reads bf16 weights from its first run on.

import type { PrepareStep } from '../backend.js';
import type { NativeAddon } from './addon.js';
import { primePack } from './pack-cache.js';
import { FUSED, convPack, convWindowOf, matmulPack, type PackRecipe, type Precision } from './env.js';

/**
 * Session creation (Backend.prepare): pack every constant weight the native MatMul / FusedGemm / Gemm /
 * Conv / FusedConv kernels would pack on their second run, with the same keys and layouts, so the first
 * run already reads packed panels ("weights packed once at session creation"). Kernels that end up on
 * the cpu path (too small, other dtypes) never read them.
 */
export async function prepackWeights(addon: NativeAddon, steps: readonly PrepareStep[], precision: Precision = 'fp32'): Promise<number> {
  const jobs: Promise<unknown>[] = [];
  for (const { node, attrs, constants } of steps) {
    const b = constants[1];
    if (!b || b.type !== 'float32' || b.dims.length < 1 || b.size === 0) continue;
    const op = node.opType, onnx = node.domain === '' || node.domain === 'ai.onnx', fused = node.domain === FUSED;
    if (b.dims.length < 2 && !(op === 'MatMul' && onnx)) continue;  // a 1-D B is MatMul's [K, 1]
    const r = b.dims.length;
    let recipe: PackRecipe | undefined;
    if ((op === 'MatMul' && onnx) || (op === 'FusedGemm' && fused) || (op === 'Gemm' && onnx && r === 2)) {
      recipe = matmulPack(addon, b, op !== 'MatMul' && attrs.int('transB', 0) !== 0, precision);
    } else if ((op === 'Conv' && onnx) || (op === 'FusedConv' && fused)) {
      const group = attrs.int('group', 1), M = b.dims[0]!, Cg = b.dims[1]!;
      if ((r === 3 || r === 4) && group >= 1 && M % group === 0 && !(Cg === 1 && group > 1)) recipe = convPack(addon, b, convWindowOf(attrs, r - 2));
    }
    if (recipe) jobs.push(primePack(b, recipe.key, recipe.pack));
  }
  await Promise.all(jobs);
  return jobs.length;
}
