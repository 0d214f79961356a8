// AVX-512F microkernel, 14 x 32 (28 zmm accumulators, 2 B vectors, 1 broadcast), over fp32 or bf16 B panels.
// Compiled with -mavx512f -mavx512bw -mavx512vl -mfma; only called after cpuid says so.
#include <immintrin.h>

#include "../../cpu/microkernel.h"

namespace onnxflow {
namespace {

// How a microkernel reads the 32 B values of one k: fp32 panels (two loads) or bf16 panels (one
// 64-byte load widened by a shift and a mask: cpu/bf16.h's layout).
struct LoadF32 {
  using T = float;
  static inline void load(const float* b, __m512& lo, __m512& hi) {
    lo = _mm512_loadu_ps(b);
    hi = _mm512_loadu_ps(b + 16);
  }
};
struct LoadBf16 {
  using T = uint16_t;
  static inline void load(const uint16_t* b, __m512& lo, __m512& hi) {
    const __m512i w = _mm512_loadu_si512(b);
    lo = _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
    hi = _mm512_castsi512_ps(_mm512_and_si512(w, _mm512_set1_epi32(static_cast<int>(0xffff0000u))));
  }
};

// One or two rows (GEMV-like): two accumulator sets over even / odd k hide the FMA latency.
template <int R, class L = LoadF32>
void kernel_small_x32(int64_t kc, const float* a, const typename L::T* b, float* c, int64_t ldc, int accumulate) {
  __m512 e0[R], e1[R], o0[R], o1[R];
  for (int i = 0; i < R; i++) e0[i] = e1[i] = o0[i] = o1[i] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 2 <= kc; k += 2) {
    __m512 b0, b1, b2, b3;
    L::load(b, b0, b1);
    L::load(b + 32, b2, b3);
    for (int i = 0; i < R; i++) {
      const __m512 x = _mm512_set1_ps(a[i]), y = _mm512_set1_ps(a[14 + i]);
      e0[i] = _mm512_fmadd_ps(x, b0, e0[i]);
      e1[i] = _mm512_fmadd_ps(x, b1, e1[i]);
      o0[i] = _mm512_fmadd_ps(y, b2, o0[i]);
      o1[i] = _mm512_fmadd_ps(y, b3, o1[i]);
    }
    a += 28;
    b += 64;
  }
  if (k < kc) {
    __m512 b0, b1;
    L::load(b, b0, b1);
    for (int i = 0; i < R; i++) {
      const __m512 x = _mm512_set1_ps(a[i]);
      e0[i] = _mm512_fmadd_ps(x, b0, e0[i]);
      e1[i] = _mm512_fmadd_ps(x, b1, e1[i]);
    }
  }
  for (int i = 0; i < R; i++) {
    float* ci = c + i * ldc;
    __m512 r0 = _mm512_add_ps(e0[i], o0[i]), r1 = _mm512_add_ps(e1[i], o1[i]);
    if (accumulate) {
      r0 = _mm512_add_ps(r0, _mm512_loadu_ps(ci));
      r1 = _mm512_add_ps(r1, _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, r0);
    _mm512_storeu_ps(ci + 16, r1);
  }
}

template <int R, class L = LoadF32>
void kernel_14x32(int64_t kc, const float* a, const typename L::T* b, float* c, int64_t ldc, int accumulate) {
  __m512 acc0[R], acc1[R];
#pragma GCC unroll 14
  for (int i = 0; i < R; i++) {
    acc0[i] = _mm512_setzero_ps();
    acc1[i] = _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < kc; k++) {
    __m512 b0, b1;
    L::load(b, b0, b1);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * 32), _MM_HINT_T0);
#pragma GCC unroll 14
    for (int i = 0; i < R; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
    }
    a += 14;
    b += 32;
  }
#pragma GCC unroll 14
  for (int i = 0; i < R; i++) {
    float* ci = c + i * ldc;
    if (accumulate) {
      acc0[i] = _mm512_add_ps(acc0[i], _mm512_loadu_ps(ci));
      acc1[i] = _mm512_add_ps(acc1[i], _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, acc0[i]);
    _mm512_storeu_ps(ci + 16, acc1[i]);
  }
}

float row_max_avx512(const float* x, int64_t n) {
  __m512 m = _mm512_set1_ps(-__builtin_inff());
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) m = _mm512_max_ps(m, _mm512_loadu_ps(x + i));
  if (i < n) m = _mm512_max_ps(m, _mm512_mask_loadu_ps(_mm512_set1_ps(-__builtin_inff()), (__mmask16)((1u << (n - i)) - 1), x + i));
  return _mm512_reduce_max_ps(m);
}

// exp(x - sub) with the Cephes expf polynomial, 16 lanes (masked tail); 0 below -87, NaN stays NaN.
float exp_sum_avx512(float* x, int64_t n, float sub) {
  const __m512 vsub = _mm512_set1_ps(sub), hi = _mm512_set1_ps(88.0f), lo = _mm512_set1_ps(-87.0f);
  const __m512 log2e = _mm512_set1_ps(1.44269504088896341f), half = _mm512_set1_ps(0.5f);
  const __m512 c1 = _mm512_set1_ps(0.693359375f), c2 = _mm512_set1_ps(-2.12194440e-4f), one = _mm512_set1_ps(1.0f);
  __m512 acc = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
    const __m512 xi = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vsub);
    const __m512 c = _mm512_max_ps(lo, _mm512_min_ps(hi, xi));  // NaN stays NaN (second operand)
    const __m512 fn = _mm512_roundscale_ps(_mm512_fmadd_ps(c, log2e, half), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_fnmadd_ps(fn, c2, _mm512_fnmadd_ps(fn, c1, c));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, half);
    p = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), one);
    const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(fn), _mm512_set1_epi32(127)), 23);
    __m512 v = _mm512_mul_ps(p, _mm512_castsi512_ps(e));
    const __mmask16 live = k & _mm512_cmp_ps_mask(xi, lo, _CMP_NLT_UQ);  // NaN lanes stay (unordered: not less)
    v = _mm512_maskz_mov_ps(live, v);
    _mm512_mask_storeu_ps(x + i, k, v);
    acc = _mm512_add_ps(acc, v);
  }
  return _mm512_reduce_add_ps(acc);
}

const MicroKernel kAvx512 = {
    "avx512", 14, 32, 128, 14 * 8, 512,
    {kernel_small_x32<1>, kernel_small_x32<2>, kernel_14x32<3>, kernel_14x32<4>, kernel_14x32<5>, kernel_14x32<6>,
     kernel_14x32<7>, kernel_14x32<8>, kernel_14x32<9>, kernel_14x32<10>, kernel_14x32<11>, kernel_14x32<12>,
     kernel_14x32<13>, kernel_14x32<14>, nullptr, nullptr},
    row_max_avx512, exp_sum_avx512,
    {},
    {kernel_small_x32<1, LoadBf16>, kernel_small_x32<2, LoadBf16>, kernel_14x32<3, LoadBf16>, kernel_14x32<4, LoadBf16>,
     kernel_14x32<5, LoadBf16>, kernel_14x32<6, LoadBf16>, kernel_14x32<7, LoadBf16>, kernel_14x32<8, LoadBf16>,
     kernel_14x32<9, LoadBf16>, kernel_14x32<10, LoadBf16>, kernel_14x32<11, LoadBf16>, kernel_14x32<12, LoadBf16>,
     kernel_14x32<13, LoadBf16>, kernel_14x32<14, LoadBf16>, nullptr, nullptr},
    {},  // no direct-convolution tiles (convs gather patches)
};

}  // namespace

const MicroKernel& microkernel_avx512() { return kAvx512; }

}  // namespace onnxflow
