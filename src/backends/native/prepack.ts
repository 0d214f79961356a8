// Session creation for the native backend (Backend.prepare): constant MatMul / FusedGemm / Gemm / Conv /
// FusedConv weights, of the main graph and of If / Loop / Scan bodies, packed into the active
// microkernel's panels before the first run, by the kernels' own recipes (env.ts): a bf16 session then
// reads bf16 weights from its first run on. Weights read only through their packed copy are then
// released (read back from the model file if anything asks for them: onnx/weight-source.ts;
// $ONNXFLOW_NATIVE_KEEP_WEIGHTS=1 keeps them).

import type { PrepareStep } from '../backend.js';
import type { NativeAddon } from './addon.js';
import { primePack } from './pack-cache.js';
import type { Tensor } from '../../ir/tensor.js';
import { releaseToFile } from '../../onnx/weight-source.js';
import { FUSED, convPack, convWindowOf, matmulPack, type PackRecipe, type Precision } from './env.js';

/**
 * Session creation (Backend.prepare): pack every constant weight the native MatMul / FusedGemm / Gemm /
 * Conv / FusedConv kernels would pack on their second run, with the same keys and layouts, so the first
 * run already reads packed panels ("weights packed once at session creation"). Kernels that end up on
 * the cpu path (too small, other dtypes) never read them.
 */
export async function prepackWeights(addon: NativeAddon, steps: readonly PrepareStep[], precision: Precision = 'fp32'): Promise<Set<Tensor>> {
  const jobs: Promise<unknown>[] = [];
  const packs: [Tensor, PackRecipe][] = [];
  // per constant: how many node inputs read it, and how many of those read only its packed copy
  const uses = new Map<Tensor, number>(), packedUses = new Map<Tensor, number>();
  for (const { constants } of steps) for (const t of constants) if (t) uses.set(t, (uses.get(t) ?? 0) + 1);
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
      const win = convWindowOf(attrs, r - 2);
      if (win && (r === 3 || r === 4) && group >= 1 && M % group === 0 && !(Cg === 1 && group > 1)) recipe = convPack(addon, b, win);
    }
    if (recipe) {
      packedUses.set(b, (packedUses.get(b) ?? 0) + 1);
      packs.push([b, recipe]);
    }
  }
  // Weights read only as packed panels: the decoded original is dropped as soon as its panels exist
  // (read back from the model file if anything asks for it later: a cpu fallback, the user), so the
  // session holds one copy, not two, and creation does not peak at both.
  // A few at a time: a weight not yet read from its file (Tensor.deferred) is read when its packing
  // starts, so creation holds the panels made so far plus the weights in flight, not every weight.
  const keep = process.env.ONNXFLOW_NATIVE_KEEP_WEIGHTS === '1';
  const packedOnly = new Set<Tensor>();
  const inFlight = new Set<Promise<unknown>>();
  try {
    for (const [b, recipe] of packs) {
      const packed = primePack(b, recipe.key, recipe.pack);  // reads b (from its file if deferred)
      const only = !keep && uses.get(b) === packedUses.get(b);
      const job = (only ? packed.then(() => releaseToFile(b) && packedOnly.add(b)) : packed).finally(() => inFlight.delete(job));
      jobs.push(job);
      inFlight.add(job);
      if (inFlight.size >= PACKS_IN_FLIGHT) await Promise.race(inFlight);
    }
  } finally {
    await Promise.allSettled(jobs);  // none left running (or unhandled) when one fails
  }
  await Promise.all(jobs);
  return packedOnly;
}

/** Weights packed at once during session creation. */
const PACKS_IN_FLIGHT = 4;
