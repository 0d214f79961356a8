#include "gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "vec.h"
#include "../runtime/scratch.h"

namespace onnxflow {

namespace {

const MicroKernel* pick_best() {
#if defined(ONNXFLOW_X86)
  const CpuFeatures f = detect_cpu_features();
  if (f.avx512) return &microkernel_avx512();
  if (f.avx2_fma) return &microkernel_avx2();
#endif
  return &microkernel_scalar();
}

const MicroKernel* g_kernel = [] {
  const MicroKernel* k = pick_best();
  if (const char* env = std::getenv("ONNXFLOW_NATIVE_ISA")) {
    for (const char* name : available_isas()) {
      if (std::strcmp(name, env) == 0) {
        if (std::strcmp(name, "scalar") == 0) k = &microkernel_scalar();
#if defined(ONNXFLOW_X86)
        if (std::strcmp(name, "avx2") == 0) k = &microkernel_avx2();
        if (std::strcmp(name, "avx512") == 0) k = &microkernel_avx512();
#endif
      }
    }
  }
  return k;
}();

thread_local Scratch t_abuf, t_bbuf, t_apre;

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
inline int64_t ceil_div(int64_t x, int64_t m) { return (x + m - 1) / m; }

}  // namespace

void epilogue_tile(float* c, int64_t ldc, int mr, int nr, const float* row_bias, const float* col_bias, Act act,
                   const float* residual) {
  const VecOps& v = active_vec();
  if (row_bias || col_bias || act != Act::None)
    for (int i = 0; i < mr; i++) v.bias_act(c + i * ldc, nr, row_bias ? row_bias[i] : 0.f, col_bias, static_cast<int>(act));
  if (residual)
    for (int i = 0; i < mr; i++) v.binary(c + i * ldc, 1, residual + i * ldc, 1, c + i * ldc, nr, 0);
}

float apply_act(float v, Act act) { return act_scalar(v, static_cast<int>(act)); }

const MicroKernel& active_kernel() { return *g_kernel; }

std::vector<const char*> available_isas() {
  std::vector<const char*> out;
#if defined(ONNXFLOW_X86)
  const CpuFeatures f = detect_cpu_features();
  if (f.avx512) out.push_back("avx512");
  if (f.avx2_fma) out.push_back("avx2");
#endif
  out.push_back("scalar");
  return out;
}

bool set_isa(const char* name) {
  for (const char* n : available_isas()) {
    if (std::strcmp(n, name) != 0) continue;
    if (std::strcmp(name, "scalar") == 0) g_kernel = &microkernel_scalar();
#if defined(ONNXFLOW_X86)
    else if (std::strcmp(name, "avx2") == 0) g_kernel = &microkernel_avx2();
    else if (std::strcmp(name, "avx512") == 0) g_kernel = &microkernel_avx512();
#endif
    return true;
  }
  return false;
}

// Pack `rows` x kc (element (r, k) at s[r * rs + k * ks]) into panels of P rows, kc deep.
static void pack_block(const float* s, int64_t rs, int64_t ks, int64_t rows, int64_t kc, int P, float scale,
                       float* d, int64_t panel_stride, bool zero_pad = true) {
  for (int64_t p0 = 0; p0 < rows; p0 += P, d += panel_stride) {
    const int n = static_cast<int>(std::min<int64_t>(P, rows - p0));
    const int fill = zero_pad ? P : n;  // lanes written: all, or only the rows present
    const float* sp = s + p0 * rs;
    if (rs == 1) {
      for (int64_t k = 0; k < kc; k++) {
        const float* src = sp + k * ks;
        float* dst = d + k * P;
        if (scale == 1.f) std::memcpy(dst, src, n * sizeof(float));
        else for (int i = 0; i < n; i++) dst[i] = src[i] * scale;
        for (int i = n; i < fill; i++) dst[i] = 0.f;
      }
    } else {
      for (int64_t k = 0; k < kc; k++) {
        const float* src = sp + k * ks;
        float* dst = d + k * P;
        for (int i = 0; i < n; i++) dst[i] = src[i * rs] * scale;
        for (int i = n; i < fill; i++) dst[i] = 0.f;
      }
    }
  }
}

void pack_panels(const float* src, int64_t rs, int64_t ks, int64_t rows, int64_t K, int P, float scale, float* dst) {
  pack_block(src, rs, ks, rows, K, P, scale, dst, K * P);
}

void pack_panels_bf16(const float* src, int64_t rs, int64_t ks, int64_t rows, int64_t K, int P, uint16_t* dst) {
  int lane[64];
  for (int j = 0; j < P && j < 64; j++) lane[j] = bf16_lane(j, P);
  for (int64_t p0 = 0; p0 < rows; p0 += P, dst += K * P) {
    const int n = static_cast<int>(std::min<int64_t>(P, rows - p0));
    const float* sp = src + p0 * rs;
    for (int64_t k = 0; k < K; k++) {
      uint16_t* d = dst + k * P;
      const float* s = sp + k * ks;
      for (int j = 0; j < n; j++) d[lane[j]] = f32_to_bf16(s[j * rs]);
      for (int j = n; j < P; j++) d[lane[j]] = 0;
    }
  }
}

const float* StridedOperand::block(int64_t b, int64_t r0, int64_t rc, int64_t k0, int64_t kc, int P, float* buf,
                                   int64_t* panel_stride) const {
  const float* s = data_ + (offsets_.empty() ? 0 : offsets_[b]) + r0 * rs_ + k0 * ks_;
  pack_block(s, rs_, ks_, rc, kc, P, scale_, buf, kc * P, zero_pad_);
  *panel_stride = kc * P;
  return buf;
}

const float* PackedOperand::block(int64_t b, int64_t r0, int64_t, int64_t k0, int64_t, int P, float*,
                                  int64_t* panel_stride) const {
  *panel_stride = K_ * P;
  return data_ + (offsets_.empty() ? 0 : offsets_[b]) + (r0 / P) * K_ * P + k0 * P;
}

double gemm_parallel_flops() {
  static const double v = [] {
    const char* e = std::getenv("ONNXFLOW_NATIVE_PAR_FLOPS");
    return e ? std::max(0.0, std::atof(e)) : 1e6;
  }();
  return v;
}

void gemm_run(const GemmCall& g) {
  const MicroKernel& uk = *g_kernel;
  const int MR = uk.mr, NR = uk.nr;
  const int64_t M = g.M, N = g.N, K = g.K;
  if (M <= 0 || N <= 0 || g.batch <= 0) return;
  if (K == 0) {
    for (int64_t b = 0; b < g.batch; b++) {
      float* c = g.c_at(b);
      for (int64_t m = 0; m < M; m++) {
        if (!g.accumulate) std::fill(c + m * g.ldc, c + m * g.ldc + N, 0.f);
        const float* rb = g.row_bias_at(b);
        const float* res = g.residual_at(b);
        epilogue_tile(c + m * g.ldc, g.ldc, 1, static_cast<int>(N), rb ? rb + m : nullptr, g.ep.col_bias, g.ep.act,
                      res ? res + m * g.ldc : nullptr);
      }
    }
    return;
  }
  ThreadPool& pool = ThreadPool::global();
  const double flops = 2.0 * M * N * K * g.batch;
  // Below ~1 MFLOP (about 12 us on one core) handing work to the pool costs more than it saves: one
  // thread, one task per (batch, row block, column block) without splitting. Above it both threads pay
  // off while the workers spin between a model's kernels (128x128x128: 48 -> 28 us, 128x64x64: 14 ->
  // 11 us, 2026-11-23); the caller never waits for a worker the OS has not scheduled (it closes the
  // job once every task is claimed). $ONNXFLOW_NATIVE_PAR_FLOPS overrides.
  const double par_flops = gemm_parallel_flops();
  // Except a few rows against a large B (GEMV-like, memory-bound): streaming B goes faster on all
  // threads from 256 KB up (the pool's wake-up is a few microseconds; a 1 MB weight takes ~70 us to
  // stream on one core).
  static const double stream_floats = [] {
    const char* e = std::getenv("ONNXFLOW_NATIVE_STREAM_FLOATS");
    return e ? std::max(0.0, std::atof(e)) : 65536.0;
  }();
  const bool small_m = M <= 4;
  const bool b_pre = g.B_prepacked || g.B16 != nullptr;  // B hands out panels (fp32 or bf16)
  const bool stream = small_m && static_cast<double>(N) * K * g.batch >= stream_floats;
  const int T = g.serial || (flops < par_flops && !stream) ? 1 : pool.size();
  // K blocks of equal depth (at most 1.5x the nominal kc): no thin remainder block.
  static const int64_t kc_env = [] {
    const char* e = std::getenv("ONNXFLOW_NATIVE_KC");  // tuning knob
    return e ? std::max(16, std::atoi(e)) : 0;
  }();
  const int64_t kc_nominal = kc_env ? kc_env : uk.kc;
  // A few rows: the A block is tiny, so take K whole and read each B panel as one sequential stream.
  const int64_t kblocks = small_m && b_pre ? 1 : ceil_div(K, kc_nominal + kc_nominal / 2);
  const int64_t KC = round_up(ceil_div(K, kblocks), 4);
  // A prepacked (conv weights): take every row in one block so the gathered B block is packed once
  // and reused by all of them (bounded so the A block stays in L2).
  const int64_t mc_cap = g.A_prepacked ? std::max<int64_t>(uk.mc, (512 / MR) * MR) : uk.mc;
  int64_t mc = std::min<int64_t>(mc_cap, round_up(M, MR));
  int64_t nc = std::min<int64_t>(uk.nc, round_up(N, NR));
  auto count = [&] { return g.batch * ceil_div(M, mc) * ceil_div(N, nc); };
  // Enough tasks for the threads (dynamic scheduling evens out a preempted thread). Splitting N
  // re-packs A once per extra column block, splitting M re-packs B once per extra row block (unless
  // prepacked), so split the dimension whose other operand is prepacked first. Row blocks keep at
  // least 4 microtiles so each B micro-panel is reused from L1.
  const int64_t want = T == 1 ? 1 : 8 * T;
  if (g.A_prepacked && !b_pre) {
    // Conv: B is gathered from the image per task, so split columns (down to one panel) and only then,
    // and less, rows (each extra row block gathers its B block again).
    while (count() < want && nc > NR) nc = round_up(nc / 2, NR);
    while (T > 1 && count() < 4 * T && mc > 4 * MR) mc = round_up(mc / 2, MR);
  } else if (b_pre && !g.A_prepacked) {
    while (count() < want && mc > 4 * MR) mc = round_up(mc / 2, MR);
    while (count() < want && nc > 2 * NR) nc = round_up(nc / 2, NR);
    while (count() < want && mc > MR) mc = round_up(mc / 2, MR);
  } else {
    while (count() < want && nc > 2 * NR) nc = round_up(nc / 2, NR);
    while (count() < want && mc > MR) mc = round_up(mc / 2, MR);
  }
  const int64_t mt = ceil_div(M, mc), nt = ceil_div(N, nc);
  // A in one row block shared by several column-block tasks (GEMV-like and other thin products):
  // pack it once here rather than once per task (for one row against a 512-wide B that re-pack took
  // over half of the product's time).
  const Operand* A = g.A;
  std::unique_ptr<PackedOperand> a_once;
  const int64_t a_per = round_up(M, MR) * K;
  if (!g.A_prepacked && mt == 1 && nt > 1 && a_per * g.batch <= (int64_t{1} << 20)) {
    float* buf = t_apre.get(static_cast<size_t>(a_per * g.batch));
    std::vector<int64_t> offs(static_cast<size_t>(g.batch));
    for (int64_t b = 0; b < g.batch; b++) {
      int64_t ps;
      offs[b] = b * a_per;
      const float* p = g.A->block(b, 0, M, 0, K, MR, buf + offs[b], &ps);
      if (p != buf + offs[b]) std::memcpy(buf + offs[b], p, static_cast<size_t>(a_per) * sizeof(float));
    }
    a_once = std::make_unique<PackedOperand>(buf, K, std::move(offs));
    A = a_once.get();
  }

  const Bf16Panels* B16 = g.B16;
  // A row-major (activations, unscaled) against fp32 B: the fa[] microkernels read its rows in place, no
  // packing (for a 32x128x128 product the pack was a fifth of the time, and with the columns split
  // across threads each task packed its rows again). Few-row products keep their packed A (GEMV
  // kernels), and so does bf16 B.
  int64_t ld_probe = 0;  // (each task reads its batch's pointer and stride below)
  const bool a_rm = !g.A_prepacked && !a_once && !small_m && !B16 && uk.fa[0] && g.A->row_major(0, &ld_probe);
  const bool a_packed = g.A_prepacked || a_once != nullptr || a_rm, b_packed = b_pre;
  auto task = [&](int64_t t, int) {
    const int64_t b = t / (mt * nt);
    const int64_t rem = t % (mt * nt);
    const int64_t jb = rem / mt, ib = rem % mt;  // row blocks vary fastest: neighbours share B
    const int64_t m0 = ib * mc, mcur = std::min(mc, M - m0);
    const int64_t n0 = jb * nc, ncur = std::min(nc, N - n0);
    // pack buffers only for operands packed here (a prepacked one hands out pointers into its panels)
    const int64_t bfloats = b_packed ? 0 : round_up(nc, NR) * KC;
    float* abuf = a_packed ? nullptr : t_abuf.get(static_cast<size_t>(round_up(mc, MR) * KC));
    float* bbuf = t_bbuf.get(static_cast<size_t>(bfloats + MR * NR));
    float* tmp = bbuf + bfloats;
    float* cb = g.c_at(b);
    const float* rb = g.row_bias_at(b);
    const float* res = g.residual_at(b);
    for (int64_t k0 = 0; k0 < K; k0 += KC) {
      const int64_t kc = std::min(KC, K - k0);
      const bool last = k0 + kc == K;
      const int acc = (g.accumulate || k0 > 0) ? 1 : 0;
      int64_t bps, aps;
      const float* bp = nullptr;
      const uint16_t* bp16 = nullptr;
      if (B16) {
        bp16 = B16->data + (B16->offsets.empty() ? 0 : B16->offsets[b]) + (n0 / NR) * K * NR + k0 * NR;
        bps = K * NR;
      } else {
        bp = g.B->block(b, n0, ncur, k0, kc, NR, bbuf, &bps);
      }
      int64_t ld = 0;
      const float* arow = a_rm ? A->row_major(b, &ld) + m0 * ld + k0 : nullptr;
      const float* ap = a_rm ? nullptr : A->block(b, m0, mcur, k0, kc, MR, abuf, &aps);
      for (int64_t jr = 0; jr < ncur; jr += NR) {
        const int nr = static_cast<int>(std::min<int64_t>(NR, ncur - jr));
        const int64_t bo = (jr / NR) * bps;
        for (int64_t ir = 0; ir < mcur; ir += MR) {
          const int mr = static_cast<int>(std::min<int64_t>(MR, mcur - ir));
          float* ct = cb + (m0 + ir) * g.ldc + n0 + jr;
          const bool whole = nr == NR;  // a partial panel computes into tmp, then copies its columns
          float* cd = whole ? ct : tmp;
          const int64_t ldd = whole ? g.ldc : NR;
          const int ac = whole ? acc : 0;
          if (a_rm) uk.fa[mr - 1](kc, arow + ir * ld, ld, bp + bo, cd, ldd, ac);
          else if (B16) uk.fb[mr - 1](kc, ap + (ir / MR) * aps, bp16 + bo, cd, ldd, ac);
          else uk.fn[mr - 1](kc, ap + (ir / MR) * aps, bp + bo, cd, ldd, ac);
          if (!whole) {
            for (int i = 0; i < mr; i++) {
              float* ci = ct + i * g.ldc;
              const float* ti = tmp + i * NR;
              if (acc) for (int j = 0; j < nr; j++) ci[j] += ti[j];
              else for (int j = 0; j < nr; j++) ci[j] = ti[j];
            }
          }
          if (last) {
            epilogue_tile(ct, g.ldc, mr, nr, rb ? rb + m0 + ir : nullptr, g.ep.col_bias ? g.ep.col_bias + n0 + jr : nullptr,
                          g.ep.act, res ? res + (m0 + ir) * g.ldc + n0 + jr : nullptr);
          }
        }
      }
    }
  };
  const int64_t tasks = g.batch * mt * nt;
  if (T == 1) {
    for (int64_t t = 0; t < tasks; t++) task(t, 0);
  } else {
    pool.parallel_for(tasks, task);
  }
}

}  // namespace onnxflow
