// ConvTranspose, 1-D and 2-D float32: one GEMM per (image, group) and a col2im scatter-add
// (geometry, output_padding / output_shape / auto_pad, as the cpu kernel); negative pads: cpu.

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../cpu/util/tensor.js';
import { convTransposeGeometry } from '../../cpu/kernels/conv/ConvTranspose.js';
import type { NativeAddon } from '../addon.js';
import { after, conv2dGeometry, convArgsOf, minFlops, syncFor, type NativeEnv } from '../env.js';

export function convTranspose({ addon, out, fallback }: NativeEnv): KernelFn {
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const w = tensorAt(inputs, 1, 'W');
    const bias = optTensor(inputs, 2);
    const rank = x.rank - 2;
    if (x.type !== 'float32' || w.type !== 'float32' || (bias && bias.type !== 'float32') || (rank !== 1 && rank !== 2) || w.rank !== x.rank) {
      return fallback('ConvTranspose', inputs, ctx);
    }
    const g = convTransposeGeometry(x, w, ctx);
    const KK = g.kernel.reduce((a, b) => a * b, 1);
    const inSize = g.inDims.reduce((a, b) => a * b, 1);
    const flops = 2 * g.N * g.M * KK * inSize * g.Cg;
    if (g.padsBegin.some((v) => v < 0) || (bias && bias.size !== g.M) || flops < minFlops()) return fallback('ConvTranspose', inputs, ctx);
    const outDims = [g.N, g.M, ...g.outDims];
    const y = out(ctx, 0, outDims);
    const args = convArgsOf(conv2dGeometry(g.N, g.C, g.M, g.group, g));
    args.x = x.data as Float32Array;
    args.w = w.data as Float32Array;
    args.bias = bias ? (bias.data as Float32Array) : undefined;
    args.y = y;
    args.sync = syncFor(flops);
    return after(addon.convTranspose2d(args as unknown as Parameters<NativeAddon['convTranspose2d']>[0]), () => [new Tensor('float32', y, outDims)]);
  };
}
