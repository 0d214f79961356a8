// AVX2 + FMA microkernel, 6 x 16 (12 ymm accumulators, 2 B vectors, 1 broadcast), over fp32 or bf16 B panels.
// Compiled with -mavx2 -mfma; only called after cpuid/xgetbv say so.
#include <immintrin.h>

#include "../../cpu/vec.h"

#include "../../cpu/microkernel.h"

namespace onnxflow {
namespace {

// How a microkernel reads the 16 B values of one k: fp32 panels (two loads) or bf16 panels (one
// 32-byte load widened by a shift and a mask: cpu/bf16.h's layout).
struct LoadF32 {
  using T = float;
  static inline void load(const float* b, __m256& lo, __m256& hi) {
    lo = _mm256_loadu_ps(b);
    hi = _mm256_loadu_ps(b + 8);
  }
};
struct LoadBf16 {
  using T = uint16_t;
  static inline void load(const uint16_t* b, __m256& lo, __m256& hi) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
    lo = _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
    hi = _mm256_castsi256_ps(_mm256_and_si256(w, _mm256_set1_epi32(static_cast<int>(0xffff0000u))));
  }
};

// One or two rows (GEMV-like): two accumulator sets over even / odd k hide the FMA latency.
template <int R, class L = LoadF32>
void kernel_small_x16(int64_t kc, const float* a, const typename L::T* b, float* c, int64_t ldc, int accumulate) {
  __m256 e0[R], e1[R], o0[R], o1[R];
  for (int i = 0; i < R; i++) e0[i] = e1[i] = o0[i] = o1[i] = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 2 <= kc; k += 2) {
    // streamed once from memory (packed weights): fetch 4 KB ahead of the loads (2 KB and 8 KB measured
    // no better), each cache line these two k read (128 bytes of fp32, 64 of bf16)
    const char* ahead = reinterpret_cast<const char*>(b) + 4096;
    _mm_prefetch(ahead, _MM_HINT_T0);
    if (sizeof(typename L::T) == 4) _mm_prefetch(ahead + 64, _MM_HINT_T0);
    __m256 b0, b1, b2, b3;
    L::load(b, b0, b1);
    L::load(b + 16, b2, b3);
    for (int i = 0; i < R; i++) {
      const __m256 x = _mm256_broadcast_ss(a + i), y = _mm256_broadcast_ss(a + 6 + i);
      e0[i] = _mm256_fmadd_ps(x, b0, e0[i]);
      e1[i] = _mm256_fmadd_ps(x, b1, e1[i]);
      o0[i] = _mm256_fmadd_ps(y, b2, o0[i]);
      o1[i] = _mm256_fmadd_ps(y, b3, o1[i]);
    }
    a += 12;
    b += 32;
  }
  if (k < kc) {
    __m256 b0, b1;
    L::load(b, b0, b1);
    for (int i = 0; i < R; i++) {
      const __m256 x = _mm256_broadcast_ss(a + i);
      e0[i] = _mm256_fmadd_ps(x, b0, e0[i]);
      e1[i] = _mm256_fmadd_ps(x, b1, e1[i]);
    }
  }
  for (int i = 0; i < R; i++) {
    float* ci = c + i * ldc;
    __m256 r0 = _mm256_add_ps(e0[i], o0[i]), r1 = _mm256_add_ps(e1[i], o1[i]);
    if (accumulate) {
      r0 = _mm256_add_ps(r0, _mm256_loadu_ps(ci));
      r1 = _mm256_add_ps(r1, _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, r0);
    _mm256_storeu_ps(ci + 8, r1);
  }
}

// The 6 x 16 tile, generic over where its operands come from (all variants share one loop):
// A: packed panels (a[k * 6 + i]) or row-major (a[i * lda + k]); B: the 16 values of depth k from fp32
// or bf16 panels (L::load at b + 16 k), or two 8-position segments of a padded image at tap k's offset
// (direct convolution).
struct APanel {
  const float* a;
  const float* at(int i, int64_t k) const { return a + k * 6 + i; }
};
struct ARows {
  const float* a;
  int64_t lda;
  const float* at(int i, int64_t k) const { return a + i * lda + k; }
};
template <class L>
struct BPanel {
  const typename L::T* b;
  void load(int64_t k, __m256& lo, __m256& hi) const { L::load(b + k * 16, lo, hi); }
};
struct BTaps {
  const float* s0;
  const float* s1;
  const int32_t* koff;
  void load(int64_t k, __m256& lo, __m256& hi) const {
    lo = _mm256_loadu_ps(s0 + koff[k]);
    hi = _mm256_loadu_ps(s1 + koff[k]);
  }
};

template <int R, class A, class B>
inline void tile_6x16(int64_t kc, const A& a, const B& b, float* c, int64_t ldc, int accumulate) {
  __m256 acc0[R], acc1[R];
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
    acc0[i] = _mm256_setzero_ps();
    acc1[i] = _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < kc; k++) {
    __m256 b0, b1;
    b.load(k, b0, b1);
#pragma GCC unroll 6
    for (int i = 0; i < R; i++) {
      const __m256 ai = _mm256_broadcast_ss(a.at(i, k));
      acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
    float* ci = c + i * ldc;
    if (accumulate) {
      acc0[i] = _mm256_add_ps(acc0[i], _mm256_loadu_ps(ci));
      acc1[i] = _mm256_add_ps(acc1[i], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, acc0[i]);
    _mm256_storeu_ps(ci + 8, acc1[i]);
  }
}

// MicroFn / MicroFnB16 (packed A, fp32 or bf16 B panels)
template <int R, class L = LoadF32>
void kernel_6x16(int64_t kc, const float* a, const typename L::T* b, float* c, int64_t ldc, int accumulate) {
  tile_6x16<R>(kc, APanel{a}, BPanel<L>{b}, c, ldc, accumulate);
}

// MicroFnA (A row-major, read in place)
template <int R>
void kernel_6x16_sa(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc, int accumulate) {
  tile_6x16<R>(kc, ARows{a, lda}, BPanel<LoadF32>{b}, c, ldc, accumulate);
}

// MicroFnConv (direct convolution): the 16 columns are two segments of 8 adjacent positions, each one
// 8-wide load from the padded image at the tap's offset.
template <int R>
void kernel_conv_6x16(int64_t kc, const float* a, const float* x, const int32_t* koff, const int64_t* seg, float* c,
                      int64_t ldc, int accumulate) {
  tile_6x16<R>(kc, APanel{a}, BTaps{x + seg[0], x + seg[1], koff}, c, ldc, accumulate);
}

// The softmax primitives of the microkernel table are the AVX2 VecOps' (one implementation).
float row_max_avx2(const float* x, int64_t n) { return vec_avx2().row_max(x, n); }
float exp_sum_avx2(float* x, int64_t n, float sub) { return vec_avx2().exp_sum(x, x, n, sub); }

const MicroKernel kAvx2 = {
    "avx2", 6, 16, 256, 6 * 16, 512,
    {kernel_small_x16<1>, kernel_small_x16<2>, kernel_6x16<3>, kernel_6x16<4>, kernel_6x16<5>, kernel_6x16<6>,
     nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
    row_max_avx2, exp_sum_avx2,
    {kernel_6x16_sa<1>, kernel_6x16_sa<2>, kernel_6x16_sa<3>, kernel_6x16_sa<4>, kernel_6x16_sa<5>, kernel_6x16_sa<6>,
     nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
    {kernel_small_x16<1, LoadBf16>, kernel_small_x16<2, LoadBf16>, kernel_6x16<3, LoadBf16>, kernel_6x16<4, LoadBf16>,
     kernel_6x16<5, LoadBf16>, kernel_6x16<6, LoadBf16>, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
     nullptr, nullptr, nullptr},
    {kernel_conv_6x16<1>, kernel_conv_6x16<2>, kernel_conv_6x16<3>, kernel_conv_6x16<4>, kernel_conv_6x16<5>, kernel_conv_6x16<6>},
};

}  // namespace

const MicroKernel& microkernel_avx2() { return kAvx2; }

}  // namespace onnxflow
