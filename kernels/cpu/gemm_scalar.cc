// Portable microkernel, 4 x 16, plain C++ (the compiler vectorizes it for the baseline ISA).
// Runs on non-x86 builds and on x86 CPUs without AVX2/FMA.
#include "microkernel.h"

#include "bf16.h"

#include <cmath>
#include <limits>

namespace onnxflow {
namespace {

// B values of one k: fp32 panels as they are, bf16 panels (bf16.h's layout) widened.
inline float b_at(const float* b, int j) { return b[j]; }
inline float b_at(const uint16_t* b, int j) { return bf16_to_f32(b[bf16_lane(j, 16)]); }

template <int R, class T = float>
void kernel_4x16(int64_t kc, const float* a, const T* b, float* c, int64_t ldc, int accumulate) {
  float acc[R][16] = {};
  float bk[16];
  for (int64_t k = 0; k < kc; k++) {
    for (int j = 0; j < 16; j++) bk[j] = b_at(b, j);
    for (int i = 0; i < R; i++) {
      const float ai = a[i];
      for (int j = 0; j < 16; j++) acc[i][j] += ai * bk[j];
    }
    a += 4;
    b += 16;
  }
  for (int i = 0; i < R; i++) {
    float* ci = c + i * ldc;
    if (accumulate) for (int j = 0; j < 16; j++) ci[j] += acc[i][j];
    else for (int j = 0; j < 16; j++) ci[j] = acc[i][j];
  }
}

}  // namespace

float row_max_scalar(const float* x, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

// exp via range reduction and the Cephes expf polynomial (rel. error ~1e-7).
float exp_sum_scalar(float* x, int64_t n, float sub) {
  float sum = 0.f;
  for (int64_t i = 0; i < n; i++) {
    const float xi = x[i] - sub;
    float c = xi > 88.0f ? 88.0f : xi;
    c = c < -87.0f ? -87.0f : c;
    const float fn = std::floor(c * 1.44269504088896341f + 0.5f);
    const float r = c - fn * 0.693359375f + fn * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const float e = std::isnan(xi) ? xi : xi < -87.0f ? 0.0f : std::ldexp(p, static_cast<int>(fn));  // NaN stays NaN
    x[i] = e;
    sum += e;
  }
  return sum;
}

namespace {

const MicroKernel kScalar = {
    "scalar", 4, 16, 256, 4 * 24, 512,
    {kernel_4x16<1>, kernel_4x16<2>, kernel_4x16<3>, kernel_4x16<4>, nullptr, nullptr, nullptr, nullptr,
     nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
    row_max_scalar, exp_sum_scalar,
    {},
    {kernel_4x16<1, uint16_t>, kernel_4x16<2, uint16_t>, kernel_4x16<3, uint16_t>, kernel_4x16<4, uint16_t>, nullptr, nullptr, nullptr,
     nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
    {},  // no direct-convolution tiles
};

}  // namespace

const MicroKernel& microkernel_scalar() { return kScalar; }

}  // namespace onnxflow
