// Conv / FusedConv: 1-D and 2-D, any groups but depthwise (direct cpu loop), as packed implicit
// GEMM; FusedConv's bias + activation (+ residual, its optional 4th input) run in the GEMM epilogue
// (FusedConv.ts, on convLike from here).

import type { KernelContext, KernelFn, KernelResult } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../cpu/util/tensor.js';
import { computeGeometry, readAutoPad, readPads, spatialInts } from '../../cpu/kernels/conv/common.js';
import { NativeAct, type Conv2dGeometry, type NativeAddon } from '../addon.js';
import { cachedPack } from '../pack-cache.js';
import { after, conv2dGeometry, convArgsOf, convPack, minFlops, sameDims, syncFor, type Inputs, type NativeEnv } from '../env.js';

/** Conv / FusedConv of inputs X, W, bias? with the epilogue activation `act`; undefined (an activation the addon lacks) or shapes it does not take run the cpu `op` in `domain`. */
export type ConvLike = (op: string, domain: string, act: NativeAct | undefined, inputs: Inputs, ctx: KernelContext) => KernelResult;

export function convLike({ addon, out, fallback }: NativeEnv): ConvLike {
  function runConv(ctx: KernelContext, x: Tensor, w: Tensor, bias: Tensor | undefined, residual: Tensor | undefined, geo: Conv2dGeometry, outDims: number[], act: NativeAct): KernelResult {
    const recipe = convPack(addon, w, geo);
    const withWeights = (packed: Float32Array): KernelResult => {
      const y = out(ctx, 0, outDims);
      const flops = 2 * geo.N * geo.M * geo.OH * geo.OW * (geo.C / geo.group) * geo.KH * geo.KW;
      const args = convArgsOf(geo);
      args.x = x.data as Float32Array;
      args.packed = packed;
      args.bias = bias ? (bias.data as Float32Array) : undefined;
      args.y = y;
      args.act = act;
      args.residual = residual?.data as Float32Array | undefined;
      args.sync = syncFor(flops);
      return after(addon.conv2d(args as unknown as Parameters<NativeAddon["conv2d"]>[0]), () => [new Tensor('float32', y, outDims)]);
    };
    // packed weights in hand (the usual case after session creation): no await
    const cached = cachedPack(w, recipe.key, recipe.pack);
    if (cached instanceof Float32Array) return withWeights(cached);
    return (cached ?? recipe.pack()).then(withWeights);
  }

  return (op, domain, act, inputs, ctx) => {
    const fb = () => fallback(op, inputs, ctx, domain);
    const x = tensorAt(inputs, 0, 'X');
    const w = tensorAt(inputs, 1, 'W');
    const bias = optTensor(inputs, 2);
    const residual = optTensor(inputs, 3);  // FusedConv's: added after the activation
    const rank = x.dims.length - 2;
    if (act === undefined || x.type !== 'float32' || w.type !== 'float32' || (bias && bias.type !== 'float32') || (rank !== 1 && rank !== 2) || w.dims.length !== x.dims.length) {
      return fb();
    }
    const N = x.dims[0]!, C = x.dims[1]!, M = w.dims[0]!, Cg = w.dims[1]!;
    const group = ctx.attrs.int('group', 1);
    if (group < 1 || C !== Cg * group || M % group !== 0 || (bias && bias.size !== M)) return fb();
    const kernel = w.dims.slice(2);
    const ks = ctx.attrs.ints('kernel_shape', []);
    if (ks.length && (ks.length !== rank || ks.some((k, i) => k !== kernel[i]))) return fb();
    const g = computeGeometry(
      x.dims.slice(2), kernel, spatialInts(ctx, 'strides', rank, 1), spatialInts(ctx, 'dilations', rank, 1),
      readPads(ctx, rank), readAutoPad(ctx),
    );
    const geo = conv2dGeometry(N, C, M, group, g);
    if (residual && (residual.type !== 'float32' || !sameDims(residual.dims, [N, M, ...g.outDims]))) return fb();
    const outSize = geo.OH * geo.OW;
    const Kc = Cg * geo.KH * geo.KW;
    if (N * M * outSize === 0 || Kc === 0 || 2 * N * M * outSize * Kc < minFlops()) return fb();
    if (Cg === 1 && group > 1) {
      // depthwise: a direct loop (a GEMM with K = KH*KW per channel would be all overhead)
      const outDims = [N, M, ...g.outDims];
      const y = out(ctx, 0, outDims);
      const args = convArgsOf(geo);
      args.x = x.data as Float32Array;
      args.w = w.data as Float32Array;
      args.bias = bias ? (bias.data as Float32Array) : undefined;
      args.y = y;
      args.act = act;
      args.residual = residual?.data as Float32Array | undefined;
      args.sync = syncFor(2 * N * M * outSize * Kc * 4);
      return after(addon.depthwise2d(args as unknown as Parameters<NativeAddon['depthwise2d']>[0]), () => [new Tensor('float32', y, outDims)]);
    }
    return runConv(ctx, x, w, bias, residual, geo, [N, M, ...g.outDims], act);
  };
}

export function conv(env: NativeEnv): KernelFn {
  const like = convLike(env);
  return (inputs, ctx) => like('Conv', '', NativeAct.None, inputs, ctx);
}
