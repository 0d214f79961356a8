// ConvTranspose, 1-D and 2-D float32: one GEMM per (image, group) and a col2im scatter-add
// (geometry, output_padding / output_shape / auto_pad, as the cpu kernel); negative pads: cpu.

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { optTensor, tensorAt } from '../../cpu/util/tensor.js';
import { convTransposeGeometry } from '../../cpu/kernels/conv/ConvTranspose.js';
import type { Conv2dGeometry, NativeAddon } from '../addon.js';
import { after, convArgsOf, minFlops, syncFor, type NativeEnv } from '../env.js';

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
    const two = rank === 2;
    const outDims = [g.N, g.M, ...g.outDims];
    const y = out(ctx, 0, outDims);
    const geo: Conv2dGeometry = {
      N: g.N, C: g.C, M: g.M, group: g.group, H: two ? g.inDims[0]! : 1, W: g.inDims[rank - 1]!,
      KH: two ? g.kernel[0]! : 1, KW: g.kernel[rank - 1]!, sh: two ? g.strides[0]! : 1, sw: g.strides[rank - 1]!,
      ph: two ? g.padsBegin[0]! : 0, pw: g.padsBegin[rank - 1]!, dh: two ? g.dilations[0]! : 1, dw: g.dilations[rank - 1]!,
      OH: two ? g.outDims[0]! : 1, OW: g.outDims[rank - 1]!,
    };
    const args = convArgsOf(geo);
    args.x = x.data as Float32Array;
    args.w = w.data as Float32Array;
    args.bias = bias ? (bias.data as Float32Array) : undefined;
    args.y = y;
    args.sync = syncFor(flops);
    return after(addon.convTranspose2d(args as unknown as Parameters<NativeAddon['convTranspose2d']>[0]), () => [new Tensor('float32', y, outDims)]);
  };
}
