// 2-D max / average pooling over NCHW planes (pads begin / end, strides, dilations; the output size,
// ceil_mode included, comes from the caller). Ops' semantics as the cpu kernels (src/backends/cpu/
// kernels/conv/MaxPool.ts, AveragePool.ts): max skips NaN and gives the lowest float for a window with
// no input tap; average divides by the window's input taps, or with include_pad by its taps inside
// the padded input (0 / 0 = NaN for an empty window).
#pragma once
#include <cstdint>

namespace onnxflow {

struct Pool2dParams {
  int64_t planes;          // N * C
  int64_t H, W, OH, OW;
  int64_t KH, KW, sh, sw;
  int64_t ph, pw;          // pads at the start
  int64_t peh, pew;        // pads at the end (for include_pad)
  int64_t dh, dw;
  bool max;
  bool include_pad;
};

void pool2d_run(const Pool2dParams& p, const float* x, float* y);

}  // namespace onnxflow
