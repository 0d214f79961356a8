import type { KernelConfig } from '../../../backend.js';
import { convOutput } from '../conv/Conv.js';
import { floatsTo } from '../conv/common.js';
import { FUSED_DOMAIN, activationFn } from './common.js';

/**
 * com.onnxflow FusedConv(X, W, B?): activation(Conv(X, W, B)), the optimizer's fusion of a Conv, a
 * per-channel constant bias Add and a Relu / SiLU / Gelu epilogue. Every attribute of ai.onnx Conv
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
    return [floatsTo(x.type, r.data, r.dims)];
  },
};
