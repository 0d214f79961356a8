// com.onnxflow SiLU and Gelu, and the ONNX Gelu (opset 20), `approximate` none / tanh: elementwise
// (large float32 tensors; small ones stay on the cpu kernel).

import type { KernelContext, KernelFn } from '../../backend.js';
import { Tensor } from '../../../ir/tensor.js';
import { tensorAt } from '../../cpu/util/tensor.js';
import { NativeAct } from '../addon.js';
import { after, FUSED, actCode, minElems, syncElems, type NativeEnv } from '../env.js';

export function activationKernels({ addon, out, fallback }: NativeEnv): { silu: KernelFn; gelu: KernelFn; onnxGelu: KernelFn } {
  const activationLike = (op: string, act: (ctx: KernelContext) => NativeAct | undefined, domain = FUSED): KernelFn => (inputs, ctx) => {
    const x = tensorAt(inputs, 0, 'X');
    const code = act(ctx);
    if (x.type !== 'float32' || x.size < minElems() || code === undefined) return fallback(op, inputs, ctx, domain);
    const y = out(ctx, 0, x.dims);
    return after(addon.activation({ x: x.data as Float32Array, y, act: code, sync: syncElems(x.size) }), () => [new Tensor('float32', y, x.dims)]);
  };
  const gelu = (c: KernelContext) => actCode('Gelu', c.attrs.string('approximate', 'none'));
  return {
    silu: activationLike('SiLU', () => NativeAct.Silu),
    gelu: activationLike('Gelu', gelu),
    onnxGelu: activationLike('Gelu', gelu, ''),
  };
}
