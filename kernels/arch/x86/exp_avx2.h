// exp(x) for 8 float lanes with the Cephes expf polynomial (rel. error ~1e-7), x clamped to
// [-87, 88] (NaN stays NaN); shared by the AVX2 GEMM unit (softmax exp-sum) and the AVX2 VecOps. Compile with
// -mavx2 -mfma.
#pragma once
#include <immintrin.h>

namespace onnxflow {

inline __m256 exp8_avx2(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.0f), lo = _mm256_set1_ps(-87.0f);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f), half = _mm256_set1_ps(0.5f);
  const __m256 c1 = _mm256_set1_ps(0.693359375f), c2 = _mm256_set1_ps(-2.12194440e-4f), one = _mm256_set1_ps(1.0f);
  // min/max return their second operand when either is NaN: with x second, NaN stays NaN (not exp(88))
  const __m256 c = _mm256_max_ps(lo, _mm256_min_ps(hi, x));
  const __m256 fn = _mm256_floor_ps(_mm256_fmadd_ps(c, log2e, half));
  const __m256 r = _mm256_fnmadd_ps(fn, c2, _mm256_fnmadd_ps(fn, c1, c));
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, half);
  p = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), one);
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fn), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

}  // namespace onnxflow
