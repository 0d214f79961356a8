// MaxPool / AveragePool, 1-D and 2-D float32 (pads, auto_pad, strides, dilations, ceil_mode,
// count_include_pad); MaxPool's Indices output, other ranks and dtypes: the cpu kernel.

import type { KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { poolGeometry } from '../../cpu/kernels/conv/pool.js';
import { after, conv2dGeometry, minElems, syncElems, type NativeEnv } from '../env.js';

export function poolKernels({ addon, out, fallback }: NativeEnv): { maxPool: KernelFn; averagePool: KernelFn } {
  const poolLike = (op: 'MaxPool' | 'AveragePool'): KernelFn => (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const rank = x.rank - 2;
    const wantIdx = op === 'MaxPool' && ctx.outputCount > 1 && ctx.outputWanted[1] !== false;
    if (x.type !== 'float32' || (rank !== 1 && rank !== 2) || wantIdx || x.size < minElems()) return fallback(op, inputs, ctx);
    const g = poolGeometry(x, ctx, { dilations: true, ceil: true });
    if (g.padsBegin.some((v) => v < 0) || g.padsEnd.some((v) => v < 0)) return fallback(op, inputs, ctx);
    const outDims = [x.dims[0]!, x.dims[1]!, ...g.outDims];
    const y = out(ctx, 0, outDims);
    const planes = x.dims[0]! * x.dims[1]!;
    const p = conv2dGeometry(0, 0, 0, 1, g), { KH, KW, OH, OW } = p;
    return after(addon.pool2d({
      x: x.data as Float32Array, y, planes, H: p.H, W: p.W, OH, OW, KH, KW, sh: p.sh, sw: p.sw, ph: p.ph, pw: p.pw,
      peh: rank === 2 ? g.padsEnd[0]! : 0, pew: g.padsEnd[rank - 1]!, dh: p.dh, dw: p.dw,
      max: op === 'MaxPool', includePad: op === 'AveragePool' && ctx.attrs.int('count_include_pad', 0) !== 0,
      sync: syncElems(planes * OH * OW * KH * KW / 8),
    }), () => [new Tensor('float32', y, outDims)]);
  };
  return { maxPool: poolLike('MaxPool'), averagePool: poolLike('AveragePool') };
}
