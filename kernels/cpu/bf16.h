// bfloat16 storage for packed GEMM weights (the `bf16` session precision): the top 16 bits of an
// IEEE float32, rounded to nearest even. The microkernels widen it back to fp32 on load (a shift or a
// mask: exact) and accumulate in fp32, so the only error is the weights' rounding (relative 2^-9 at
// most), and the weights stream from memory at half the bytes.
//
// Packed bf16 panel layout (P columns per panel, P even): the P values of one k are stored as P/2
// 32-bit words, word j holding column j in its low half and column j + P/2 in its high half. A vector
// of words then widens in two instructions: (word << 16) gives columns [0, P/2), (word & 0xffff0000)
// gives columns [P/2, P).
#pragma once
#include <cstdint>
#include <cstring>

namespace onnxflow {

inline uint16_t f32_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // NaN stays a (quiet) NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even (overflow rounds to inf, as it should)
  return static_cast<uint16_t>(u >> 16);
}

inline float bf16_to_f32(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/** Position of column j (of P) within one k's P bf16 values (see the layout above). */
inline int bf16_lane(int j, int P) { return j < P / 2 ? 2 * j : 2 * (j - P / 2) + 1; }

}  // namespace onnxflow
