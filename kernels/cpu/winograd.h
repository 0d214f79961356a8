// Winograd F(2x2, 3x3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2016) for 3x3, stride-1, undilated, ungrouped convolutions with many channels (the VAE's and UNet's
// convolutions): each 2x2 output tile is A^T [ (G g G^T) . (B^T d B) ] A over a 4x4 input patch d, so a
// tile costs 16 multiply-adds per (input, output) channel pair instead of 36 (2.25x fewer). The 16
// element-wise products over channels are 16 GEMMs,
//   M_xi (M x tiles) = U_xi (M x C, the transformed weights, packed once) * V_xi (C x tiles),
// run by the ISA's GEMM microkernel on blocks of tiles that stay in cache: per block, the input
// transform writes V straight into packed-B panels, the GEMMs write M, and the output transform adds
// the bias, applies the activation and the residual, and writes Y.
// Accuracy: the transforms use only 0, +-1 and +-1/2 (exact in float), so the result differs from a
// direct convolution by summation order only (measured in the self-test against a double reference).
#pragma once
#include <cstdint>

#include "conv.h"

namespace onnxflow {

/**
 * Whether conv2d packs and runs `p` as Winograd F(2x2, 3x3): a 3x3 kernel, stride 1, dilation 1, one
 * group, at least 16 input and output channels, a plain weight of at most 64 MB (winograd.cc;
 * $ONNXFLOW_NATIVE_WINOGRAD_MAX_MB), and not switched off ($ONNXFLOW_NATIVE_WINOGRAD=0,
 * read once, or set_winograd). Depends on neither the image size nor the batch (weights are packed
 * before either is known).
 */
bool winograd_applies(const Conv2dParams& p);

/** Switch the Winograd path on or off (tests, benchmarks); returns the previous setting. Weights
 * packed under one setting must run under the same one (their sizes differ, and the addon checks). */
bool set_winograd(bool on);

/** Floats the transformed weights take: 16 panel-packed M x C matrices. */
int64_t winograd_packed_floats(const Conv2dParams& p);

/** U_xi = (G g G^T)_xi for every (m, c), packed as 16 A operands of the active microkernel. */
void winograd_pack_weight(const Conv2dParams& p, const float* w, float* packed);

/** Y = act(conv(X, W) + bias) + residual, as conv2d_run; `packed` from winograd_pack_weight. */
void winograd_run(const Conv2dParams& p, const float* x, const float* packed, const float* bias, float* y, Act act,
                  const float* residual);

}  // namespace onnxflow
