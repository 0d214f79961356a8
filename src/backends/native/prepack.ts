// Session creation for the native backend (Backend.prepare): constant MatMul / FusedGemm / Gemm / Conv /
// FusedConv weights packed into the active microkernel's panels before the first run.

import type { PrepareStep } from '../backend.js';
import type { Conv2dGeometry, NativeAddon } from './addon.js';
import { primePack } from './pack-cache.js';
import { FUSED, convArgsOf, convKey, gemmKey, matmulKey, packB, syncElems } from './env.js';

/**
 * Session creation (Backend.prepare): pack every constant weight the native MatMul / FusedGemm / Gemm /
 * Conv / FusedConv kernels would pack on their second run, with the same keys and layouts, so the first
 * run already reads packed panels ("weights packed once at session creation"). Kernels that end up on
 * the cpu path (too small, other dtypes) never read them.
 */
export async function prepackWeights(addon: NativeAddon, steps: readonly PrepareStep[]): Promise<number> {
  const info = addon.info();
  const jobs: Promise<Float32Array>[] = [];
  for (const { node, attrs, constants } of steps) {
    const b = constants[1];
    if (!b || b.type !== 'float32' || b.dims.length < 2 || b.size === 0) continue;
    const op = node.opType, onnx = node.domain === '' || node.domain === 'ai.onnx', fused = node.domain === FUSED;
    const d = b.dims, r = d.length;
    const B = b.data as Float32Array;
    if ((op === 'MatMul' && onnx) || (op === 'FusedGemm' && fused)) {
      const transB = fused && attrs.int('transB', 0) !== 0;
      const N = transB ? d[r - 2]! : d[r - 1]!, K = transB ? d[r - 1]! : d[r - 2]!;
      let nbB = 1;
      for (let i = 0; i < r - 2; i++) nbB *= d[i]!;
      const bRs = transB ? K : 1, bKs = transB ? 1 : N;
      jobs.push(primePack(b, matmulKey(info.isa, transB), () => packB(addon, B, N, K, bRs, bKs, nbB, K * N)));
    } else if (op === 'Gemm' && onnx && r === 2) {
      const transB = attrs.int('transB', 0) !== 0;
      const N = transB ? d[0]! : d[1]!, K = transB ? d[1]! : d[0]!;
      jobs.push(primePack(b, gemmKey(info.isa, transB), () => packB(addon, B, N, K, transB ? K : 1, transB ? 1 : N, 1, 0)));
    } else if ((op === 'Conv' && onnx) || (op === 'FusedConv' && fused)) {
      // the packing depends only on M, C/group * kernel size and group (conv2d_pack_weight)
      if (r !== 3 && r !== 4) continue;
      const group = attrs.int('group', 1), M = d[0]!, Cg = d[1]!;
      if (group < 1 || M % group !== 0 || (Cg === 1 && group > 1)) continue;
      const KH = r === 4 ? d[2]! : 1, KW = d[r - 1]!;
      const geo: Conv2dGeometry = { N: 1, C: Cg * group, M, group, H: KH, W: KW, KH, KW, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, OH: 1, OW: 1 };
      jobs.push(primePack(b, convKey(info.isa, group), async () => {
        const packed = new Float32Array(addon.conv2dPackedSize(geo));
        await addon.conv2dPackWeight(Object.assign(convArgsOf(geo), { w: B, packed, sync: syncElems(packed.length) }));
        return packed;
      }));
    }
  }
  await Promise.all(jobs);
  return jobs.length;
}
