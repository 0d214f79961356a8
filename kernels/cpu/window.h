// Valid taps of sliding windows (conv, depthwise conv, pooling): tap k of output o reads input
// position o * s - pad + k * d, which must lie in [0, len).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace onnxflow {

/** Taps k in [0, K) with s0 + k * d in [0, len): [*lo, *hi) (empty: lo == hi). */
inline void tap_range(int64_t s0, int64_t d, int64_t K, int64_t len, int64_t* lo, int64_t* hi) {
  *lo = s0 >= 0 ? 0 : (-s0 + d - 1) / d;
  *hi = s0 > len - 1 ? 0 : std::min<int64_t>(K, (len - 1 - s0) / d + 1);
  if (*hi < *lo) *hi = *lo;
}

/** tap_range for every output position along one axis (computed once per call, read per window). */
struct TapRanges {
  std::vector<int64_t> lo, hi;
  TapRanges(int64_t n_out, int64_t s, int64_t pad, int64_t d, int64_t K, int64_t len) : lo(n_out), hi(n_out) {
    for (int64_t o = 0; o < n_out; o++) tap_range(o * s - pad, d, K, len, &lo[o], &hi[o]);
  }
};

}  // namespace onnxflow
