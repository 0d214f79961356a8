#include "pool.h"

#include <algorithm>
#include <cfloat>
#include <limits>
#include <vector>

#include "../runtime/thread_pool.h"

namespace onnxflow {

namespace {

// Taps k in [0, K) with s0 + k * d in [0, len): [lo, hi).
inline void tap_range(int64_t s0, int64_t d, int64_t K, int64_t len, int64_t* lo, int64_t* hi) {
  *lo = s0 >= 0 ? 0 : (-s0 + d - 1) / d;
  *hi = s0 > len - 1 ? 0 : std::min<int64_t>(K, (len - 1 - s0) / d + 1);
  if (*hi < *lo) *hi = *lo;
}

}  // namespace

void pool2d_run(const Pool2dParams& p, const float* x, float* y) {
  // Per output row / column: valid tap ranges and the include_pad counts, computed once.
  std::vector<int64_t> hlo(p.OH), hhi(p.OH), hpad(p.OH), wlo(p.OW), whi(p.OW), wpad(p.OW);
  for (int64_t o = 0; o < p.OH; o++) {
    const int64_t s0 = o * p.sh - p.ph;
    tap_range(s0, p.dh, p.KH, p.H, &hlo[o], &hhi[o]);
    int64_t l, h;
    tap_range(s0 + p.ph, p.dh, p.KH, p.H + p.ph + p.peh, &l, &h);  // in the padded extent
    hpad[o] = h - l;
  }
  for (int64_t o = 0; o < p.OW; o++) {
    const int64_t s0 = o * p.sw - p.pw;
    tap_range(s0, p.dw, p.KW, p.W, &wlo[o], &whi[o]);
    int64_t l, h;
    tap_range(s0 + p.pw, p.dw, p.KW, p.W + p.pw + p.pew, &l, &h);
    wpad[o] = h - l;
  }
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
          const int64_t n = p.include_pad ? hpad[oh] * wpad[ow] : (hhi[oh] - hlo[oh]) * (whi[ow] - wlo[ow]);
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
