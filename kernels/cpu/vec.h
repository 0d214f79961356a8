// Vectorized row primitives for the epilogues, norms, softmax and elementwise kernels, chosen per
// ISA like the microkernel (AVX2+FMA on x86 CPUs that have it, also used on AVX-512 CPUs; portable
// C++ elsewhere or with ONNXFLOW_NATIVE_ISA=scalar).
#pragma once
#include <cstdint>

namespace onnxflow {

// Activation codes (same as Act): 0 none, 1 ReLU, 2 GELU (erf), 3 SiLU, 4 GELU (tanh approximation).
struct VecOps {
  const char* isa;
  // x[j] = act(x[j] + add + (cb ? cb[j] : 0))
  void (*bias_act)(float* x, int64_t n, float add, const float* cb, int act);
  // y[j] = act(x[j] * a + b)
  void (*affine_act)(const float* x, float* y, int64_t n, float a, float b, int act);
  // y[j] = (x[j] - mean) * rstd * g[j] (+ b[j] when b)
  void (*norm_row)(const float* x, float* y, int64_t n, float mean, float rstd, const float* g, const float* b);
  double (*sum)(const float* x, int64_t n);
  // sum of (x[j] - mean)^2
  double (*sqdev)(const float* x, int64_t n, float mean);
  // y[j] = a[j] op b[j]; op 0 add, 1 sub, 2 mul, 3 div; a_step / b_step 0 (scalar) or 1
  void (*binary)(const float* a, int a_step, const float* b, int b_step, float* y, int64_t n, int op);
  // x[j] *= s
  void (*scale)(float* x, int64_t n, float s);
  // y[j] = exp(x[j] - sub), returns the sum (y may be x)
  float (*exp_sum)(const float* x, float* y, int64_t n, float sub);
  float (*row_max)(const float* x, int64_t n);
  float (*dot)(const float* a, const float* b, int64_t n);
  // y[j] += a * x[j]
  void (*axpy)(float* y, const float* x, float a, int64_t n);
  // Winograd F(2x2, 3x3) transforms (cpu/winograd.cc) of n tiles side by side. Input: tile k's 4x4
  // patch d at s + 2k (rows ld apart); its 16 values B^T d B to v[xi * vs + k].
  void (*wino_in)(const float* s, int64_t ld, int64_t n, float* v, int64_t vs);
  // Output: tile k's 16 products at m[xi * ms + k]; its 2x2 outputs A^T M A to o[r * os + k]
  // (r: top left, top right, bottom left, bottom right).
  void (*wino_out)(const float* m, int64_t ms, int64_t n, float* o, int64_t os);
};

const VecOps& vec_scalar();
#if defined(ONNXFLOW_X86)
const VecOps& vec_avx2();
#endif
/** The ops matching the active microkernel's ISA. */
const VecOps& active_vec();

/** Scalar activation (reference for tails and the portable path). */
float act_scalar(float v, int act);

}  // namespace onnxflow
