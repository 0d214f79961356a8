#include "pool.h"

#include <algorithm>
#include <cfloat>
#include <limits>
#include <vector>

#include "../runtime/thread_pool.h"
#include "window.h"

namespace onnxflow {

void pool2d_run(const Pool2dParams& p, const float* x, float* y) {
  // Per output row / column: valid tap ranges and the include_pad counts (taps inside the padded
  // extent), computed once.
  const TapRanges hr(p.OH, p.sh, p.ph, p.dh, p.KH, p.H), wr(p.OW, p.sw, p.pw, p.dw, p.KW, p.W);
  const TapRanges hpad(p.OH, p.sh, 0, p.dh, p.KH, p.H + p.ph + p.peh), wpad(p.OW, p.sw, 0, p.dw, p.KW, p.W + p.pw + p.pew);
  const std::vector<int64_t>&hlo = hr.lo, &hhi = hr.hi, &wlo = wr.lo, &whi = wr.hi;
  const float lowest = -FLT_MAX, nan = std::numeric_limits<float>::quiet_NaN();
  auto plane = [&](int64_t c, int) {
    const float* xp = x + c * p.H * p.W;
    float* yp = y + c * p.OH * p.OW;
    for (int64_t oh = 0; oh < p.OH; oh++) {
      const int64_t h0 = oh * p.sh - p.ph;
      for (int64_t ow = 0; ow < p.OW; ow++) {
        const int64_t w0 = ow * p.sw - p.pw;
        float r;
        if (p.max) {
          float m = lowest;
          for (int64_t kh = hlo[oh]; kh < hhi[oh]; kh++) {
            const float* row = xp + (h0 + kh * p.dh) * p.W + w0;
            for (int64_t kw = wlo[ow]; kw < whi[ow]; kw++) {
              const float v = row[kw * p.dw];
              if (v > m) m = v;
            }
          }
          r = m;
        } else {
          float s = 0.f;
          for (int64_t kh = hlo[oh]; kh < hhi[oh]; kh++) {
            const float* row = xp + (h0 + kh * p.dh) * p.W + w0;
            for (int64_t kw = wlo[ow]; kw < whi[ow]; kw++) s += row[kw * p.dw];
          }
          const int64_t n = p.include_pad ? (hpad.hi[oh] - hpad.lo[oh]) * (wpad.hi[ow] - wpad.lo[ow]) : (hhi[oh] - hlo[oh]) * (whi[ow] - wlo[ow]);
          r = n > 0 ? s / static_cast<float>(n) : nan;
        }
        yp[oh * p.OW + ow] = r;
      }
    }
  };
  const double work = static_cast<double>(p.planes) * p.OH * p.OW * p.KH * p.KW;
  if (work < 2e5 || p.planes == 1) {
    for (int64_t c = 0; c < p.planes; c++) plane(c, 0);
  } else {
    ThreadPool::global().parallel_for(p.planes, plane);
  }
}

}  // namespace onnxflow
