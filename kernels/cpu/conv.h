// Conv2d (NCHW, grouped, strided, padded, dilated) as packed implicit GEMM:
//   Y[n, g] (Mg x OH*OW) = W[g] (Mg x Cg*KH*KW, panels packed once per weight) * patches(X[n, g])
// where the patch matrix is never materialized: each K x NR block is gathered from X straight into
// the microkernel's packed-B layout (1x1 / stride 1 / no pad reads X as a plain strided matrix).
// Bias and activation are fused in the GEMM epilogue. 3x3, stride-1, undilated, one-group convolutions
// with 16+ channels pack and run as Winograd F(2x2, 3x3) instead (winograd.h): the packed weight's
// format follows the geometry, so pack and run with the same one.
#pragma once
#include <cstdint>

#include "gemm.h"

namespace onnxflow {

struct Conv2dParams {
  int64_t N, C, H, W;      // input
  int64_t M, group;        // output channels, groups (C and M divisible by group)
  int64_t KH, KW;
  int64_t sh, sw, ph, pw, dh, dw;  // strides, pads (begin), dilations
  int64_t OH, OW;
};

/** Floats the packed weight takes (group panels of the active microkernel's MR rows, or Winograd's 16 matrices). */
int64_t conv2d_packed_weight_floats(const Conv2dParams& p);
/** Pack W [M, C/group, KH, KW] for conv2d_run. */
void conv2d_pack_weight(const Conv2dParams& p, const float* w, float* packed);
/**
 * Y [N, M, OH, OW] = act(conv(X, W) + bias) + residual (residual: nullptr, or laid out as Y). `packed`
 * from conv2d_pack_weight.
 */
void conv2d_run(const Conv2dParams& p, const float* x, const float* packed, const float* bias, float* y, Act act,
                const float* residual = nullptr);

/**
 * Depthwise conv (C / group == 1, M a multiple of group: output channel m reads input channel
 * m / (M / group)) as a direct loop: W [M, 1, KH, KW] unpacked, bias and act fused.
 */
void depthwise2d_run(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y, Act act,
                     const float* residual = nullptr);

/**
 * ConvTranspose2d, the adjoint of conv2d: X [N, C, H, W], W [C, M / group, KH, KW] (unpacked), Y [N, M,
 * OH, OW] with OH = (H - 1) * sh - pads + (KH - 1) * dh + 1 + output_padding (computed by the caller;
 * ph / pw are the pads at the start). Per (image, group) one GEMM cols = W_g^T X_g ((Mg*KH*KW) x HW,
 * K = C / group) on the pool, then a col2im scatter-add onto Y (planes in parallel) after the bias.
 */
void convtranspose2d_run(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y);

}  // namespace onnxflow
