import type { KernelConfig } from '../../../backend.js';
import { convOutput } from '../conv/Conv.js';
import { floatsTo } from '../conv/common.js';
import { FUSED_DOMAIN, activationFn, addResidual } from './common.js';
import { optTensor } from '../../util/tensor.js';

/**
 * com.onnxflow FusedConv(X, W, B?, residual?): activation(Conv(X, W, B)) + residual, the optimizer's
 * fusion of a Conv, a per-channel constant bias Add, a Relu / SiLU / Gelu epilogue and a residual
 * connection's Add (float32; the residual has the output's dims). Every attribute of ai.onnx Conv
 * (auto_pad, dilations, group, kernel_shape, pads, strides) plus `activation` ('' | 'Relu' | 'SiLU' |
 * 'Gelu') and `gelu_approximate` ('none' | 'tanh'), as FusedGemm. The convolution is the cpu Conv
 * kernel's; the activation is computed in double on each rounded output and rounded once.
 */
export const fusedConvConfig: KernelConfig = {
  opType: 'FusedConv',
  domain: FUSED_DOMAIN,
  kernel: (inputs, ctx) => {
    const act = activationFn(ctx.attrs.string('activation', ''), ctx.attrs.string('gelu_approximate', 'none'));
    const { x, r } = convOutput(inputs, ctx);
    if (act) {
      const Y = r.data;
      for (let i = 0; i < Y.length; i++) Y[i] = act(Y[i]!);
    }
    const residual = optTensor(inputs, 3);
    if (residual) {
      if (x.type !== 'float32') throw new Error(`FusedConv: a residual needs float32, got ${x.type}`);
      const y = floatsTo(x.type, r.data, r.dims);
      addResidual(y.data as Float32Array, y.dims, residual, 'FusedConv');
      return [y];
    }
    return [floatsTo(x.type, r.data, r.dims)];
  },
};
