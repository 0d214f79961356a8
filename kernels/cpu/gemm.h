// GEMM: C[b] (M x N) = op(A[b]) (M x K) * op(B[b]) (K x N), fp32 accumulate, cache-blocked over
// packed panels with the ISA's register-tiled microkernel, threaded over (batch, row block,
// column block) tasks, with a fused epilogue (row/column bias, ReLU / GELU (erf or tanh) / SiLU, vectorized) applied to each
// tile while it is still in cache.
#pragma once
#include <cstdint>
#include <vector>

#include "bf16.h"
#include "microkernel.h"

namespace onnxflow {

enum class Act : int { None = 0, Relu = 1, Gelu = 2, Silu = 3, GeluTanh = 4 };

/** The microkernel chosen at load (best the CPU supports), or forced with set_isa. */
const MicroKernel& active_kernel();
/** Force "avx512", "avx2" or "scalar" (for tests); false when the CPU or build lacks it. */
bool set_isa(const char* name);
/** Names of the ISA paths this build and CPU can run, best first. */
std::vector<const char*> available_isas();

/** Floats a panel-packed copy of a rows x K matrix takes with panels of P rows. */
inline int64_t packed_floats(int64_t rows, int64_t K, int P) { return (rows + P - 1) / P * P * K; }

/**
 * Pack rows x K of a strided matrix (element (r, k) at src[r * rs + k * ks]) into panels of P rows:
 * dst[(r / P) * K * P + k * P + r % P], rows past the end zero; times `scale`.
 */
void pack_panels(const float* src, int64_t rs, int64_t ks, int64_t rows, int64_t K, int P, float scale, float* dst);

/**
 * pack_panels into bf16 panels (cpu/bf16.h's layout; P even): each value rounded to the nearest bf16,
 * rows past the end zero. Half the bytes of fp32 panels, read by the microkernels' fb[] entries.
 */
void pack_panels_bf16(const float* src, int64_t rs, int64_t ks, int64_t rows, int64_t K, int P, uint16_t* dst);

/** B packed once as bf16 panels (pack_panels_bf16 over the full K) per batch at data + offsets[b]. */
struct Bf16Panels {
  const uint16_t* data = nullptr;
  std::vector<int64_t> offsets;  // per batch (empty: all at data)
};

/** A GEMM operand seen as rows x K (A: rows = M; B: rows = N), giving packed blocks on demand. */
class Operand {
 public:
  virtual ~Operand() = default;
  /**
   * Rows [r0, r0 + rc) x k [k0, k0 + kc) of batch b as panels of P rows (r0 is a multiple of P):
   * either packed into buf (room for ceil(rc/P)*P*kc floats) or a pointer into a prepacked copy.
   * *panel_stride is the distance in floats between consecutive panels.
   */
  virtual const float* block(int64_t b, int64_t r0, int64_t rc, int64_t k0, int64_t kc, int P, float* buf,
                             int64_t* panel_stride) const = 0;
  /**
   * Batch b as a plain row-major matrix (element (r, k) at result[r * *ld + k], unscaled), or nullptr:
   * an A operand the microkernels' fa[] entries can read without packing.
   */
  virtual const float* row_major(int64_t b, int64_t* ld) const { return nullptr; }
};

/**
 * A strided matrix per batch: element (r, k) of batch b at data[offsets[b] + r * rs + k * ks].
 * `zero_pad` false leaves the rows past the end of a partial panel unwritten: right for an A operand,
 * whose padding rows no microkernel reads (fn[rows - 1] reads only its rows), and a pack of one row
 * into a 6-row panel was a fifth of a GEMV node's time.
 */
class StridedOperand : public Operand {
 public:
  StridedOperand(const float* data, int64_t rs, int64_t ks, std::vector<int64_t> offsets, float scale = 1.f,
                 bool zero_pad = true)
      : data_(data), rs_(rs), ks_(ks), offsets_(std::move(offsets)), scale_(scale), zero_pad_(zero_pad) {}
  const float* block(int64_t b, int64_t r0, int64_t rc, int64_t k0, int64_t kc, int P, float* buf,
                     int64_t* panel_stride) const override;
  const float* row_major(int64_t b, int64_t* ld) const override {
    if (ks_ != 1 || scale_ != 1.f) return nullptr;
    *ld = rs_;
    return data_ + (offsets_.empty() ? 0 : offsets_[b]);
  }

 private:
  const float* data_;
  int64_t rs_, ks_;
  std::vector<int64_t> offsets_;
  float scale_;
  bool zero_pad_;
};

/** Panels packed once (pack_panels over the full K) per batch at data + offsets[b]. */
class PackedOperand : public Operand {
 public:
  PackedOperand(const float* data, int64_t K, std::vector<int64_t> offsets) : data_(data), K_(K), offsets_(std::move(offsets)) {}
  const float* block(int64_t b, int64_t r0, int64_t rc, int64_t k0, int64_t kc, int P, float* buf,
                     int64_t* panel_stride) const override;

 private:
  const float* data_;
  int64_t K_;
  std::vector<int64_t> offsets_;
};

struct Epilogue {
  const float* row_bias = nullptr;      // + row_bias[row_bias_offsets[b] + m]
  std::vector<int64_t> row_bias_offsets; // per batch (empty: 0)
  const float* col_bias = nullptr;      // + col_bias[n]
  Act act = Act::None;
  // + residual after the activation, laid out as C (the same per-batch offsets and ldc): a residual
  // connection's Add fused into the tile while it is in cache (same rounding as the separate Add)
  const float* residual = nullptr;
};

struct GemmCall {
  int64_t M = 0, N = 0, K = 0, batch = 1;
  const Operand* A = nullptr;
  const Operand* B = nullptr;
  const Bf16Panels* B16 = nullptr;  // B as bf16 panels instead (B is then unused; weights in bf16 precision)
  float* C = nullptr;
  std::vector<int64_t> c_offsets;  // per batch (empty: b * M * ldc)
  int64_t ldc = 0;
  bool A_prepacked = false;  // A / B hand out pointers into packed panels (blocking hints)
  bool B_prepacked = false;
  bool accumulate = false;  // C += product (C holds beta * C already); else C = product
  bool serial = false;      // on the calling thread only (a task of an outer parallel_for)
  Epilogue ep;

  /** C of batch b, and its row bias (nullptr when none). */
  float* c_at(int64_t b) const { return C + (c_offsets.empty() ? b * M * ldc : c_offsets[b]); }
  const float* residual_at(int64_t b) const { return ep.residual ? ep.residual + (c_offsets.empty() ? b * M * ldc : c_offsets[b]) : nullptr; }
  const float* row_bias_at(int64_t b) const {
    return ep.row_bias ? ep.row_bias + (ep.row_bias_offsets.empty() ? 0 : ep.row_bias_offsets[b]) : nullptr;
  }
};

/**
 * Run on the global thread pool (or on the calling thread alone: `serial`, small products, a busy pool
 * under ThreadPool::NoWait); blocks the calling thread until done.
 */
void gemm_run(const GemmCall& call);

/** Products below this many flops run on one thread ($ONNXFLOW_NATIVE_PAR_FLOPS, default 1e6). */
double gemm_parallel_flops();

/**
 * The epilogue of an mr x nr tile of C (rows ldc apart): + row_bias[i] + col_bias[j], the activation,
 * then + residual (same layout as the tile; nullptr: none). Shared with the direct convolution.
 */
void epilogue_tile(float* c, int64_t ldc, int mr, int nr, const float* row_bias, const float* col_bias, Act act,
                   const float* residual);

/** Scalar helper shared by kernels: the activation of one value. */
float apply_act(float v, Act act);

}  // namespace onnxflow
