// Portable VecOps (the compiler vectorizes what it can for the baseline ISA).
#include <cmath>
#include <limits>

#include "gemm.h"
#include "microkernel.h"
#include "vec.h"

namespace onnxflow {

float act_scalar(float v, int act) {
  switch (act) {
    case 1: return v > 0.f || std::isnan(v) ? v : 0.f;
    case 2: return 0.5f * v * (1.f + std::erf(v * 0.70710678118654752f));
    case 3: return v / (1.f + std::exp(-v));
    case 4: {
      const float u = 0.7978845608028654f * (v + 0.044715f * v * v * v);
      return 0.5f * v * (1.f + std::tanh(u));
    }
    default: return v;
  }
}

namespace {

void bias_act_s(float* x, int64_t n, float add, const float* cb, int act) {
  if (cb) for (int64_t j = 0; j < n; j++) x[j] += add + cb[j];
  else if (add != 0.f) for (int64_t j = 0; j < n; j++) x[j] += add;
  if (act) for (int64_t j = 0; j < n; j++) x[j] = act_scalar(x[j], act);
}

void affine_act_s(const float* x, float* y, int64_t n, float a, float b, int act) {
  for (int64_t j = 0; j < n; j++) y[j] = act_scalar(x[j] * a + b, act);
}

void norm_row_s(const float* x, float* y, int64_t n, float mean, float rstd, const float* g, const float* b) {
  for (int64_t j = 0; j < n; j++) y[j] = (x[j] - mean) * rstd * g[j] + (b ? b[j] : 0.f);
}

double sum_s(const float* x, int64_t n) {
  double s = 0;
  for (int64_t j = 0; j < n; j++) s += x[j];
  return s;
}

double sqdev_s(const float* x, int64_t n, float mean) {
  double s = 0;
  for (int64_t j = 0; j < n; j++) {
    const double d = x[j] - mean;
    s += d * d;
  }
  return s;
}

void binary_s(const float* a, int as, const float* b, int bs, float* y, int64_t n, int op) {
  for (int64_t j = 0; j < n; j++) {
    const float u = a[j * as], v = b[j * bs];
    y[j] = op == 0 ? u + v : op == 1 ? u - v : op == 2 ? u * v : u / v;
  }
}

void scale_s(float* x, int64_t n, float s) {
  for (int64_t j = 0; j < n; j++) x[j] *= s;
}

float exp_sum_s(const float* x, float* y, int64_t n, float sub) {
  if (x != y) for (int64_t j = 0; j < n; j++) y[j] = x[j];
  return exp_sum_scalar(y, n, sub);
}

float dot_s(const float* a, const float* b, int64_t n) {
  float s = 0.f;
  for (int64_t j = 0; j < n; j++) s += a[j] * b[j];
  return s;
}

void axpy_s(float* y, const float* x, float a, int64_t n) {
  for (int64_t j = 0; j < n; j++) y[j] += a * x[j];
}

// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: rows of d combined, then columns.
void wino_in_s(const float* s, int64_t ld, int64_t n, float* v, int64_t vs) {
  for (int64_t k = 0; k < n; k++, s += 2) {
    float t[16];
    for (int c = 0; c < 4; c++) {
      const float d0 = s[c], d1 = s[ld + c], d2 = s[2 * ld + c], d3 = s[3 * ld + c];
      t[c] = d0 - d2, t[4 + c] = d1 + d2, t[8 + c] = d2 - d1, t[12 + c] = d1 - d3;
    }
    for (int r = 0; r < 4; r++) {
      const float* tr = t + r * 4;
      v[(r * 4 + 0) * vs + k] = tr[0] - tr[2];
      v[(r * 4 + 1) * vs + k] = tr[1] + tr[2];
      v[(r * 4 + 2) * vs + k] = tr[2] - tr[1];
      v[(r * 4 + 3) * vs + k] = tr[1] - tr[3];
    }
  }
}

// A^T = [1 1 1 0; 0 1 -1 -1]: rows of M combined, then columns.
void wino_out_s(const float* m, int64_t ms, int64_t n, float* o, int64_t os) {
  for (int64_t k = 0; k < n; k++) {
    float s[8];
    for (int c = 0; c < 4; c++) {
      const float m0 = m[c * ms + k], m1 = m[(4 + c) * ms + k], m2 = m[(8 + c) * ms + k], m3 = m[(12 + c) * ms + k];
      s[c] = m0 + m1 + m2;
      s[4 + c] = m1 - m2 - m3;
    }
    o[k] = s[0] + s[1] + s[2];
    o[os + k] = s[1] - s[2] - s[3];
    o[2 * os + k] = s[4] + s[5] + s[6];
    o[3 * os + k] = s[5] - s[6] - s[7];
  }
}

const VecOps kScalar = {"scalar", bias_act_s, affine_act_s, norm_row_s, sum_s, sqdev_s, binary_s, scale_s, exp_sum_s, row_max_scalar, dot_s, axpy_s,
                        wino_in_s, wino_out_s};

}  // namespace

const VecOps& vec_scalar() { return kScalar; }

const VecOps& active_vec() {
#if defined(ONNXFLOW_X86)
  if (active_kernel().isa[0] == 'a') return vec_avx2();  // "avx2" / "avx512"
#endif
  return kScalar;
}

}  // namespace onnxflow
