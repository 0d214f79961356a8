// AVX2 + FMA VecOps (compiled with -mavx2 -mfma; used on AVX2 and AVX-512 CPUs). exp is the
// Cephes polynomial (rel. error ~1e-7), erf Abramowitz-Stegun 7.1.26 (abs. error 1.5e-7).
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "../../cpu/microkernel.h"
#include "../../cpu/vec.h"
#include "exp_avx2.h"

namespace onnxflow {
namespace {

inline __m256 exp8(__m256 x) { return exp8_avx2(x); }

inline __m256 act8(__m256 v, int act) {
  const __m256 one = _mm256_set1_ps(1.f), half = _mm256_set1_ps(0.5f);
  switch (act) {
    case 1: return _mm256_max_ps(_mm256_setzero_ps(), v);  // NaN stays NaN (max returns its second operand)
    case 2: {  // 0.5 v (1 + erf(v / sqrt 2))
      const __m256 sign = _mm256_set1_ps(-0.f);
      const __m256 z = _mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752f));
      const __m256 az = _mm256_andnot_ps(sign, z);
      const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), az, one));
      __m256 p = _mm256_set1_ps(1.061405429f);
      p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
      p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
      p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
      p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
      p = _mm256_mul_ps(p, t);
      const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(az, az)));
      __m256 erf = _mm256_fnmadd_ps(p, e, one);
      erf = _mm256_or_ps(erf, _mm256_and_ps(sign, z));
      return _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, erf));
    }
    case 3: return _mm256_div_ps(v, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), v))));
    case 4: {  // 0.5 v (1 + tanh(u)), tanh(u) = 1 - 2 / (exp(2u) + 1)
      const __m256 v3 = _mm256_mul_ps(_mm256_mul_ps(v, v), v);
      const __m256 u = _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f), _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), v3, v));
      const __m256 e2 = exp8(_mm256_add_ps(u, u));
      const __m256 th = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(e2, one)));
      return _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, th));
    }
    default: return v;
  }
}

inline __m256i tail_mask(int64_t r) {
  alignas(32) static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m + 8 - r));
}

template <int ACT>
void bias_act_t(float* x, int64_t n, float add, const float* cb) {
  const __m256 va = _mm256_set1_ps(add);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + j), va);
    if (cb) v = _mm256_add_ps(v, _mm256_loadu_ps(cb + j));
    _mm256_storeu_ps(x + j, act8(v, ACT));
  }
  if (j < n) {
    const __m256i m = tail_mask(n - j);
    __m256 v = _mm256_add_ps(_mm256_maskload_ps(x + j, m), va);
    if (cb) v = _mm256_add_ps(v, _mm256_maskload_ps(cb + j, m));
    _mm256_maskstore_ps(x + j, m, act8(v, ACT));
  }
}

void bias_act(float* x, int64_t n, float add, const float* cb, int act) {
  switch (act) {
    case 0: if (add != 0.f || cb) bias_act_t<0>(x, n, add, cb); break;
    case 1: bias_act_t<1>(x, n, add, cb); break;
    case 2: bias_act_t<2>(x, n, add, cb); break;
    case 3: bias_act_t<3>(x, n, add, cb); break;
    default: bias_act_t<4>(x, n, add, cb); break;
  }
}

template <int ACT>
void affine_act_t(const float* x, float* y, int64_t n, float a, float b) {
  const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, act8(_mm256_fmadd_ps(_mm256_loadu_ps(x + j), va, vb), ACT));
  if (j < n) {
    const __m256i m = tail_mask(n - j);
    _mm256_maskstore_ps(y + j, m, act8(_mm256_fmadd_ps(_mm256_maskload_ps(x + j, m), va, vb), ACT));
  }
}

void affine_act(const float* x, float* y, int64_t n, float a, float b, int act) {
  switch (act) {
    case 0: affine_act_t<0>(x, y, n, a, b); break;
    case 1: affine_act_t<1>(x, y, n, a, b); break;
    case 2: affine_act_t<2>(x, y, n, a, b); break;
    case 3: affine_act_t<3>(x, y, n, a, b); break;
    default: affine_act_t<4>(x, y, n, a, b); break;
  }
}

void norm_row(const float* x, float* y, int64_t n, float mean, float rstd, const float* g, const float* b) {
  const __m256 vm = _mm256_set1_ps(mean), vr = _mm256_set1_ps(rstd);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 v = _mm256_mul_ps(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm), vr), _mm256_loadu_ps(g + j));
    if (b) v = _mm256_add_ps(v, _mm256_loadu_ps(b + j));
    _mm256_storeu_ps(y + j, v);
  }
  for (; j < n; j++) y[j] = (x[j] - mean) * rstd * g[j] + (b ? b[j] : 0.f);
}

inline double hsum(__m256 v) {
  alignas(32) float l[8];
  _mm256_store_ps(l, v);
  double s = 0;
  for (float f : l) s += f;
  return s;
}

double sum(const float* x, int64_t n) {
  // Blocks of 256 floats summed in float (4 accumulators), blocks accumulated in double.
  double total = 0;
  int64_t j = 0;
  while (j + 32 <= n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const int64_t end = std::min<int64_t>(n - 31, j + 1024);
    for (; j < end; j += 32) {
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + j));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + j + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + j + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + j + 24));
    }
    total += hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  }
  for (; j < n; j++) total += x[j];
  return total;
}

double sqdev(const float* x, int64_t n, float mean) {
  const __m256 vm = _mm256_set1_ps(mean);
  double total = 0;
  int64_t j = 0;
  while (j + 32 <= n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const int64_t end = std::min<int64_t>(n - 31, j + 1024);
    for (; j < end; j += 32) {
      const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + j), vm), d1 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 8), vm);
      const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 16), vm), d3 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 24), vm);
      a0 = _mm256_fmadd_ps(d0, d0, a0);
      a1 = _mm256_fmadd_ps(d1, d1, a1);
      a2 = _mm256_fmadd_ps(d2, d2, a2);
      a3 = _mm256_fmadd_ps(d3, d3, a3);
    }
    total += hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  }
  for (; j < n; j++) {
    const double d = x[j] - mean;
    total += d * d;
  }
  return total;
}

template <int OP>
inline __m256 bin8(__m256 a, __m256 b) {
  if (OP == 0) return _mm256_add_ps(a, b);
  if (OP == 1) return _mm256_sub_ps(a, b);
  if (OP == 2) return _mm256_mul_ps(a, b);
  return _mm256_div_ps(a, b);
}

template <int OP>
inline float bin1(float a, float b) {
  return OP == 0 ? a + b : OP == 1 ? a - b : OP == 2 ? a * b : a / b;
}

template <int OP>
void binary_t(const float* a, int as, const float* b, int bs, float* y, int64_t n) {
  int64_t j = 0;
  if (as && bs) {
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, bin8<OP>(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j)));
  } else if (as) {
    const __m256 vb = _mm256_set1_ps(*b);
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, bin8<OP>(_mm256_loadu_ps(a + j), vb));
  } else if (bs) {
    const __m256 va = _mm256_set1_ps(*a);
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, bin8<OP>(va, _mm256_loadu_ps(b + j)));
  }
  for (; j < n; j++) y[j] = bin1<OP>(a[j * as], b[j * bs]);
}

void binary(const float* a, int as, const float* b, int bs, float* y, int64_t n, int op) {
  switch (op) {
    case 0: binary_t<0>(a, as, b, bs, y, n); break;
    case 1: binary_t<1>(a, as, b, bs, y, n); break;
    case 2: binary_t<2>(a, as, b, bs, y, n); break;
    default: binary_t<3>(a, as, b, bs, y, n); break;
  }
}

void scale(float* x, int64_t n, float s) {
  const __m256 vs = _mm256_set1_ps(s);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), vs));
  for (; j < n; j++) x[j] *= s;
}

float exp_sum(const float* x, float* y, int64_t n, float sub) {
  const __m256 vsub = _mm256_set1_ps(sub), lo = _mm256_set1_ps(-87.0f);
  __m256 acc = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 xi = _mm256_sub_ps(_mm256_loadu_ps(x + j), vsub);
    const __m256 v = _mm256_andnot_ps(_mm256_cmp_ps(xi, lo, _CMP_LT_OQ), exp8(xi));
    _mm256_storeu_ps(y + j, v);
    acc = _mm256_add_ps(acc, v);
  }
  if (j < n) {
    const __m256i m = tail_mask(n - j);
    const __m256 xi = _mm256_sub_ps(_mm256_maskload_ps(x + j, m), vsub);
    __m256 v = _mm256_andnot_ps(_mm256_cmp_ps(xi, lo, _CMP_LT_OQ), exp8(xi));
    v = _mm256_and_ps(v, _mm256_castsi256_ps(m));
    _mm256_maskstore_ps(y + j, m, v);
    acc = _mm256_add_ps(acc, v);
  }
  return static_cast<float>(hsum(acc));
}

float row_max(const float* x, int64_t n) {
  __m256 m = _mm256_set1_ps(-__builtin_inff());
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + j));
  alignas(32) float l[8];
  _mm256_store_ps(l, m);
  float r = -__builtin_inff();
  for (float v : l) r = v > r ? v : r;
  for (; j < n; j++) r = x[j] > r ? x[j] : r;
  return r;
}

float dot(const float* a, const float* b, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0;
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), a1);
  }
  if (j + 8 <= n) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), a0);
    j += 8;
  }
  if (j < n) {
    const __m256i m = tail_mask(n - j);
    a1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + j, m), _mm256_maskload_ps(b + j, m), a1);
  }
  return static_cast<float>(hsum(_mm256_add_ps(a0, a1)));
}

void axpy(float* y, const float* x, float a, int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j)));
  if (j < n) {
    const __m256i m = tail_mask(n - j);
    _mm256_maskstore_ps(y + j, m, _mm256_fmadd_ps(va, _mm256_maskload_ps(x + j, m), _mm256_maskload_ps(y + j, m)));
  }
}

/** Columns 0, 2, .., 14 and 1, 3, .., 15 of p[0..16). */
inline void deinterleave(const float* p, __m256& even, __m256& odd) {
  const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
  const __m256 e = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)), o = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
  even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8));
  odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xD8));
}

// 8 tiles at a time (their patches' columns deinterleaved: tile k starts at column 2k), as wino_in_s.
void wino_in(const float* s, int64_t ld, int64_t n, float* v, int64_t vs) {
  int64_t k = 0;
  for (; k + 8 <= n; k += 8, s += 16) {
    __m256 h[4][4];  // h[r][j]: row r of d times B
    for (int r = 0; r < 4; r++) {
      __m256 x0, x1, x2, x3;
      deinterleave(s + r * ld, x0, x1);
      deinterleave(s + r * ld + 2, x2, x3);
      h[r][0] = _mm256_sub_ps(x0, x2);
      h[r][1] = _mm256_add_ps(x1, x2);
      h[r][2] = _mm256_sub_ps(x2, x1);
      h[r][3] = _mm256_sub_ps(x1, x3);
    }
    for (int j = 0; j < 4; j++) {
      _mm256_storeu_ps(v + j * vs + k, _mm256_sub_ps(h[0][j], h[2][j]));
      _mm256_storeu_ps(v + (4 + j) * vs + k, _mm256_add_ps(h[1][j], h[2][j]));
      _mm256_storeu_ps(v + (8 + j) * vs + k, _mm256_sub_ps(h[2][j], h[1][j]));
      _mm256_storeu_ps(v + (12 + j) * vs + k, _mm256_sub_ps(h[1][j], h[3][j]));
    }
  }
  if (k < n) vec_scalar().wino_in(s, ld, n - k, v + k, vs);
}

void wino_out(const float* m, int64_t ms, int64_t n, float* o, int64_t os) {
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    __m256 s0[4], s1[4];
    for (int c = 0; c < 4; c++) {
      const __m256 m0 = _mm256_loadu_ps(m + c * ms + k), m1 = _mm256_loadu_ps(m + (4 + c) * ms + k);
      const __m256 m2 = _mm256_loadu_ps(m + (8 + c) * ms + k), m3 = _mm256_loadu_ps(m + (12 + c) * ms + k);
      s0[c] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
      s1[c] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
    }
    _mm256_storeu_ps(o + k, _mm256_add_ps(_mm256_add_ps(s0[0], s0[1]), s0[2]));
    _mm256_storeu_ps(o + os + k, _mm256_sub_ps(_mm256_sub_ps(s0[1], s0[2]), s0[3]));
    _mm256_storeu_ps(o + 2 * os + k, _mm256_add_ps(_mm256_add_ps(s1[0], s1[1]), s1[2]));
    _mm256_storeu_ps(o + 3 * os + k, _mm256_sub_ps(_mm256_sub_ps(s1[1], s1[2]), s1[3]));
  }
  if (k < n) vec_scalar().wino_out(m + k, ms, n - k, o + k, os);
}

const VecOps kAvx2 = {"avx2", bias_act, affine_act, norm_row, sum, sqdev, binary, scale, exp_sum, row_max, dot, axpy, wino_in, wino_out};

}  // namespace

const VecOps& vec_avx2() { return kAvx2; }

}  // namespace onnxflow
