// The register-tiled GEMM microkernel contract shared by the ISA-specific translation units.
//
// A packed A panel holds MR rows: a[k * MR + i]; a packed B panel holds NR columns: b[k * NR + j].
// fn[rows - 1] computes the rows x NR tile  C = (accumulate ? C : 0) + A_panel * B_panel  over kc,
// for rows in [1, MR] (small-M products do not pay for padding rows).
#pragma once
#include <cstdint>

namespace onnxflow {

using MicroFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate);
// Same tile with A read row-major (a[i * lda + k]) instead of packed, skipping the pack: GEMM's unscaled
// row-major A operands and attention's probabilities.
using MicroFnA = void (*)(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc, int accumulate);
// Direct-convolution tile: B read straight from a zero-padded image instead of packed panels. Column j
// of the tile at depth k is x[seg[j / 8] + j % 8 + koff[k]]: the NR positions are NR / 8 segments of 8
// positions adjacent in one output row (stride-1 windows: adjacent inputs), and koff[k] is the offset
// of tap k = (channel, kh, kw). No patch matrix is gathered or stored.
using MicroFnConv = void (*)(int64_t kc, const float* a, const float* x, const int32_t* koff, const int64_t* seg, float* c,
                             int64_t ldc, int accumulate);
// Same tile with B panels of bf16 (cpu/bf16.h: NR values per k, widened to fp32 on load, fp32 accumulate).
using MicroFnB16 = void (*)(int64_t kc, const float* a, const uint16_t* b, float* c, int64_t ldc, int accumulate);

struct MicroKernel {
  const char* isa;
  int mr, nr;
  int kc;  // K block: a kc x NR B panel stays in L1
  int mc;  // rows of A packed per block (L2)
  int nc;  // columns per task (upper bound)
  MicroFn fn[16];
  // Softmax helpers for fused attention, in the same ISA: max of x[0..n) (-inf when n == 0), and
  // x[i] = exp(x[i] - sub) (exactly 0 below -87) returning the sum.
  float (*row_max)(const float* x, int64_t n);
  float (*exp_sum)(float* x, int64_t n, float sub);
  // fa[rows - 1]: the rows x NR tile with A row-major (nullptr where the ISA has none: pack instead).
  MicroFnA fa[16];
  // fb[rows - 1]: the rows x NR tile with B packed as bf16 (every ISA has them).
  MicroFnB16 fb[16];
  // fc[rows - 1]: direct-convolution tiles; nullptr where the ISA has none (the conv then gathers patches).
  MicroFnConv fc[16];
};

// Portable versions (cpu/gemm_scalar.cc), also used for the vector loops' tails.
float row_max_scalar(const float* x, int64_t n);
float exp_sum_scalar(float* x, int64_t n, float sub);

// Defined in their own translation units (compiled with per-file ISA flags on x86-64).
const MicroKernel& microkernel_scalar();
#if defined(ONNXFLOW_X86)
const MicroKernel& microkernel_avx2();
const MicroKernel& microkernel_avx512();
#endif

}  // namespace onnxflow
