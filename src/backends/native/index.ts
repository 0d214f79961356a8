// The `native` backend: C++ SIMD kernels (the repository's kernels/, an N-API addon) in float32 for MatMul, Gemm, Conv, ConvTranspose,
// Attention, the optimizer's fused ops (FusedGemm, FusedConv, FusedAttention, FusedGroupNorm, layer
// norms, Gelu / SiLU), Softmax, LayerNormalization, InstanceNormalization, MaxPool / AveragePool and
// broadcasting Add / Sub / Mul / Div; every other op, dtype and shape it does not take runs the cpu backend's kernel.
// When the addon cannot load, resolving `native` fails with the reason (see nativeStatus()).
// Here: the kernel table (kernels/index.ts, one file per op), what the kernels share (env.ts) and the
// weight packing at session creation (prepack.ts).

import type { Backend, KernelFn, Precision } from '../backend.js';
import { KernelTable, registerBackend } from '../registry.js';
import { cpuBackend } from '../cpu/index.js';
import { loadNative, type NativeAddon, type NativeInfo } from './addon.js';
import { nativeKernels } from './kernels/index.js';
import { prepackWeights } from './prepack.js';

export type { NativeAddon, NativeInfo } from './addon.js';

export type NativeStatus = { available: true; path: string; info: NativeInfo } | { available: false; reason: string };

/** Whether the native backend can run here, and why not. Loads the addon on first call. */
export function nativeStatus(): NativeStatus {
  const l = loadNative();
  return l.available ? { available: true, path: l.path, info: l.addon.info() } : { available: false, reason: l.reason };
}

/** The loaded addon, or undefined (for benchmarks and tests). */
export function nativeAddon(): NativeAddon | undefined {
  const l = loadNative();
  return l.available ? l.addon : undefined;
}

/** The native backend at `precision` ('bf16': MatMul / Gemm weights packed as bf16; see env.ts). */
export function createNativeBackend(addon: NativeAddon, precision: Precision = 'fp32'): Backend {
  const cpu = (op: string, opset: number, domain = ''): KernelFn | undefined => cpuBackend.getKernel(op, domain, opset);
  const table = new KernelTable('native', nativeKernels(addon, cpu, precision));
  const variants = new Map<Precision, Backend>();
  const self: Backend = {
    name: 'native',
    getKernel: (opType, domain, opset) => table.get(opType, domain, opset) ?? cpuBackend.getKernel(opType, domain, opset),
    prepare: (steps) => prepackWeights(addon, steps, precision),
    withPrecision: (p) => {
      if (p === precision) return self;
      let v = variants.get(p);
      if (!v) variants.set(p, (v = createNativeBackend(addon, p)));
      return v;
    },
  };
  return self;
}

registerBackend('native', () => {
  const l = loadNative();
  if (!l.available) throw new Error(`backend 'native' is unavailable: ${l.reason}`);
  return createNativeBackend(l.addon);
});
