// LayerNormalization (ONNX, opset 17+: from `axis`, with the Mean / InvStdDev outputs) and com.onnxflow
// LayerNormalization (last axis); SkipLayerNormalization.ts runs on layerNormLike from here (large float32
// tensors; small ones stay on the cpu kernel).

import type { KernelContext, KernelFn, KernelResult, Value } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../cpu/util/tensor.js';
import { after, FUSED, minElems, sameDims, syncElems, type Inputs, type NativeEnv } from '../env.js';

export type LayerNormLike = (op: string, domain: string, inputs: Inputs, ctx: KernelContext, skip: boolean) => KernelResult;

/** Layer norm over the last axes from `axis`; Mean / InvStdDev outputs when `stats` (ONNX LayerNormalization). */
export function layerNormLike({ addon, out, fallback }: NativeEnv): LayerNormLike {
  return (op, domain, inputs, ctx, skip) => {
    const fb = () => fallback(op, inputs, ctx, domain);
    const x = tensorAt(inputs, 0, 'X');
    const b = skip ? tensorAt(inputs, 1, 'B') : undefined;
    const gamma = tensorAt(inputs, skip ? 2 : 1, 'gamma');
    const beta = optTensor(inputs, skip ? 3 : 2);
    if (x.type !== 'float32' || gamma.type !== 'float32' || (beta && beta.type !== 'float32') || (b && b.type !== 'float32') || x.rank < 1 || x.size < minElems()) return fb();
    const onnx = domain === '';
    let axis = onnx ? ctx.attrs.int('axis', -1) : -1;
    if (axis < 0) axis += x.rank;
    if (axis < 0 || axis >= x.rank) return fb();
    if (onnx && ctx.attrs.int('stash_type', 1) !== 1) return fb();
    if (b && !sameDims(b.dims, x.dims)) return fb();
    let D = 1;
    for (let i = axis; i < x.rank; i++) D *= x.dims[i]!;
    if (D === 0 || gamma.size !== D || (beta && beta.size !== D)) return fb();
    // gamma / beta must have the normalized shape (up to leading 1s), as the cpu kernel demands.
    const strip = (d: readonly number[]) => d.slice(d.findIndex((v) => v !== 1) < 0 ? d.length : d.findIndex((v) => v !== 1));
    const nd = strip(x.dims.slice(axis));
    if (!sameDims(strip(gamma.dims), nd) || (beta && !sameDims(strip(beta.dims), nd))) return fb();
    const rows = x.size / D;
    const y = out(ctx, 0, x.dims);
    const sum = skip ? out(ctx, 1, x.dims) : undefined;
    const stats = onnx && (ctx.outputWanted[1] || ctx.outputWanted[2]);
    const mean = stats ? new Float32Array(rows) : undefined, invStd = stats ? new Float32Array(rows) : undefined;
    return after(addon.layerNorm({
      a: x.data as Float32Array, b: b?.data as Float32Array | undefined, gamma: gamma.data as Float32Array,
      beta: beta?.data as Float32Array | undefined, y, sum, mean, invStd, rows, D, eps: ctx.attrs.float('epsilon', 1e-5), sync: syncElems(x.size),
    }), () => {
      const out: Value[] = [new Tensor('float32', y, x.dims)];
      if (skip) out.push(new Tensor('float32', sum!, x.dims));
      if (onnx) {
        const sd = x.dims.map((d, i) => (i < axis ? d : 1));
        out.push(new Tensor('float32', mean ?? new Float32Array(rows), sd), new Tensor('float32', invStd ?? new Float32Array(rows), sd));
      }
      return out;
    });
  };
}

export function layerNormalization(env: NativeEnv): KernelFn {
  const like = layerNormLike(env);
  return (i, c) => like('LayerNormalization', '', i, c, false);
}

export function fusedLayerNormalization(env: NativeEnv): KernelFn {
  const like = layerNormLike(env);
  return (i, c) => like('LayerNormalization', FUSED, i, c, false);
}
