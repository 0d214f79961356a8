// C++-only self-test of the kernels (no Node needed): every ISA path this CPU runs against a double
// precision reference on random GEMM (strides, transposes, batches, prepacked operands, epilogues)
// and Conv2d problems; then GEMM 1024^3 throughput and the FMA peak per path.
// Build: g++ -O3 -std=c++17 -pthread -DONNXFLOW_X86 -Ikernels kernels/tests/selftest.cc kernels/cpu/{gemm,gemm_scalar,conv}.cc
//        kernels/runtime/{thread_pool,buffer_pool}.cc kernels/arch/x86/cpu_features.cc
//        plus kernels/arch/x86/{gemm,peak}_avx2.cc built with -mavx2 -mfma and {gemm,peak}_avx512.cc
//        with -mavx512f -mavx512bw -mavx512vl -mfma (see scripts/native-selftest.sh).
#include <chrono>
#include <string>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../cpu/attention.h"
#include "../cpu/conv.h"
#include "../cpu/gemm.h"
#include "../cpu/peak.h"
#include "../cpu/winograd.h"
#include "../runtime/thread_pool.h"

using namespace onnxflow;

static std::mt19937 rng(42);
static std::vector<float> rnd(size_t n) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}
static int64_t ri(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }

static double worst = 0;
static int failures = 0;
static void compare(const char* what, const std::vector<float>& got, const std::vector<double>& ref) {
  double w = 0;
  for (size_t i = 0; i < ref.size(); i++) w = std::max(w, std::fabs(got[i] - ref[i]) / std::max(1.0, std::fabs(ref[i])));
  worst = std::max(worst, w);
  if (!(w <= 1e-4)) {
    failures++;
    std::printf("  FAIL %s: rel err %.3g\n", what, w);
  }
}

static double actd(double v, int act) {
  if (act == 1) return v > 0 ? v : 0;
  if (act == 2) return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  if (act == 3) return v / (1 + std::exp(-v));
  return v;
}

static void test_gemm(int trial) {
  const int64_t M = ri(1, 90), N = ri(1, 140), K = ri(1, 600), batch = ri(1, 3);
  const bool ta = ri(0, 1), tb = ri(0, 1), packA = ri(0, 3) == 0, packB = ri(0, 1), acc = ri(0, 3) == 0;
  const bool bf16 = packB && ri(0, 1);  // B as bf16 panels: the reference uses B rounded to bf16
  const bool resid = ri(0, 2) == 0;     // + a residual after the activation
  const int act = static_cast<int>(ri(0, 3));
  const bool rowb = ri(0, 1), colb = ri(0, 1);
  const float alpha = packA || ri(0, 1) ? 1.f : 0.5f + static_cast<float>(ri(0, 10)) / 10.f;  // 1: A read in place (fa)
  auto A = rnd(batch * M * K), B = rnd(batch * K * N), rb = rnd(M), cb = rnd(N), C0 = rnd(batch * M * N);
  // A[b] (m, k) at ta ? k*M+m : m*K+k; B[b] (k, n) at tb ? n*K+k : k*N+n.
  const int64_t aRs = ta ? 1 : K, aKs = ta ? M : 1, bRs = tb ? K : 1, bKs = tb ? 1 : N;
  std::vector<int64_t> aOff(batch), bOff(batch);
  const MicroKernel& uk = active_kernel();
  std::vector<float> Ap, Bp;
  std::vector<uint16_t> B16;
  Bf16Panels b16;
  const int64_t aPer = packed_floats(M, K, uk.mr), bPer = packed_floats(N, K, uk.nr);
  if (packA) Ap.resize(batch * aPer);
  if (packB) Bp.resize(batch * bPer);
  if (bf16) B16.resize(batch * bPer);
  for (int64_t b = 0; b < batch; b++) {
    if (packA) pack_panels(A.data() + b * M * K, aRs, aKs, M, K, uk.mr, 1.f, Ap.data() + b * aPer);
    if (packB) pack_panels(B.data() + b * K * N, bRs, bKs, N, K, uk.nr, 1.f, Bp.data() + b * bPer);
    if (bf16) pack_panels_bf16(B.data() + b * K * N, bRs, bKs, N, K, uk.nr, B16.data() + b * bPer);
    aOff[b] = packA ? b * aPer : b * M * K;
    bOff[b] = packB ? b * bPer : b * K * N;
  }
  StridedOperand sa(A.data(), aRs, aKs, aOff, alpha), sb(B.data(), bRs, bKs, bOff);
  PackedOperand pa(Ap.data(), K, aOff), pb(Bp.data(), K, bOff);
  std::vector<float> C = acc ? C0 : std::vector<float>(batch * M * N, 7.f);
  GemmCall g;
  g.M = M, g.N = N, g.K = K, g.batch = batch, g.ldc = N, g.C = C.data(), g.accumulate = acc;
  g.A = packA ? static_cast<const Operand*>(&pa) : &sa;
  g.A_prepacked = packA;
  g.B = packB ? static_cast<const Operand*>(&pb) : &sb;
  g.B_prepacked = packB;
  if (bf16) {
    b16.data = B16.data(), b16.offsets = bOff;
    g.B16 = &b16;
    for (float& x : B) x = bf16_to_f32(f32_to_bf16(x));  // what the product reads
  }
  g.ep.row_bias = rowb ? rb.data() : nullptr;
  g.ep.col_bias = colb ? cb.data() : nullptr;
  g.ep.act = static_cast<Act>(act);
  const auto R = rnd(batch * M * N);
  if (resid) g.ep.residual = R.data();
  gemm_run(g);
  std::vector<double> ref(batch * M * N);
  for (int64_t b = 0; b < batch; b++)
    for (int64_t m = 0; m < M; m++)
      for (int64_t n = 0; n < N; n++) {
        double s = 0;
        for (int64_t k = 0; k < K; k++) s += double(A[b * M * K + m * aRs + k * aKs]) * B[b * K * N + n * bRs + k * bKs];
        double v = alpha * s + (acc ? C0[(b * M + m) * N + n] : 0) + (rowb ? rb[m] : 0) + (colb ? cb[n] : 0);
        ref[(b * M + m) * N + n] = actd(v, act) + (resid ? R[(b * M + m) * N + n] : 0);
      }
  char what[160];
  std::snprintf(what, sizeof what, "gemm #%d M=%ld N=%ld K=%ld batch=%ld ta=%d tb=%d packA=%d packB=%d bf16=%d acc=%d act=%d", trial,
                (long)M, (long)N, (long)K, (long)batch, ta, tb, packA, packB, bf16, acc, act);
  compare(what, C, ref);
}

/** act(conv(X, W) + bias) + R (R: nullptr or laid out as Y) in double: the reference of every conv test. */
static std::vector<double> conv_ref(const Conv2dParams& p, const std::vector<float>& X, const std::vector<float>& W,
                                    const std::vector<float>& bias, int act, const float* R) {
  const int64_t Cg = p.C / p.group, Mg = p.M / p.group;
  std::vector<double> ref(p.N * p.M * p.OH * p.OW);
  for (int64_t n = 0; n < p.N; n++)
    for (int64_t m = 0; m < p.M; m++) {
      const int64_t g = m / Mg;
      for (int64_t oh = 0; oh < p.OH; oh++)
        for (int64_t ow = 0; ow < p.OW; ow++) {
          double s = bias[m];
          for (int64_t c = 0; c < Cg; c++)
            for (int64_t kh = 0; kh < p.KH; kh++)
              for (int64_t kw = 0; kw < p.KW; kw++) {
                const int64_t ih = oh * p.sh - p.ph + kh * p.dh, iw = ow * p.sw - p.pw + kw * p.dw;
                if (ih < 0 || ih >= p.H || iw < 0 || iw >= p.W) continue;
                s += double(X[((n * p.C + g * Cg + c) * p.H + ih) * p.W + iw]) * W[((m * Cg + c) * p.KH + kh) * p.KW + kw];
              }
          const int64_t at = ((n * p.M + m) * p.OH + oh) * p.OW + ow;
          ref[at] = actd(s, act) + (R ? R[at] : 0);
        }
    }
  return ref;
}

static void test_conv(int trial) {
  Conv2dParams p;
  p.group = ri(1, 3);
  p.N = ri(1, 2), p.C = p.group * ri(1, 5), p.M = p.group * ri(1, 9);
  p.H = ri(1, 20), p.W = ri(1, 40), p.KH = ri(1, 3), p.KW = ri(1, 4);
  p.sh = ri(1, 2), p.sw = ri(1, 3), p.dh = ri(1, 2), p.dw = ri(1, 2), p.ph = ri(0, 2), p.pw = ri(0, 2);
  if (trial % 5 == 0) p.KH = p.KW = 1, p.sh = p.sw = 1, p.ph = p.pw = 0;
  const int64_t eh = (p.KH - 1) * p.dh + 1, ew = (p.KW - 1) * p.dw + 1;
  if (trial % 2 == 1) {
    // stride-1 rows of a multiple of 8 outputs (direct convolution up to 256 positions) or of 4
    p.sw = 1;
    const int64_t ow = (trial % 4 == 1 ? 8 : 4) * ri(1, 5);
    p.W = std::max<int64_t>(1, ow - 1 - 2 * p.pw + ew);
  }
  p.OH = (p.H + 2 * p.ph - eh) / p.sh + 1, p.OW = (p.W + 2 * p.pw - ew) / p.sw + 1;
  if (p.H + 2 * p.ph < eh || p.W + 2 * p.pw < ew) return;
  const int64_t Cg = p.C / p.group;
  auto X = rnd(p.N * p.C * p.H * p.W), W = rnd(p.M * Cg * p.KH * p.KW), bias = rnd(p.M);
  std::vector<float> packed(conv2d_packed_weight_floats(p)), Y(p.N * p.M * p.OH * p.OW);
  conv2d_pack_weight(p, W.data(), packed.data());
  const bool resid = trial % 3 == 0;  // + a residual (the direct, gathered and 1x1 paths all take it)
  const auto R = rnd(Y.size());
  conv2d_run(p, X.data(), packed.data(), bias.data(), Y.data(), Act::None, resid ? R.data() : nullptr);
  const std::vector<double> ref = conv_ref(p, X, W, bias, 0, resid ? R.data() : nullptr);
  char what[200];
  std::snprintf(what, sizeof what, "conv #%d N=%ld C=%ld M=%ld g=%ld %ldx%ld k=%ldx%ld s=%ld,%ld d=%ld,%ld p=%ld,%ld", trial,
                (long)p.N, (long)p.C, (long)p.M, (long)p.group, (long)p.H, (long)p.W, (long)p.KH, (long)p.KW, (long)p.sh,
                (long)p.sw, (long)p.dh, (long)p.dw, (long)p.ph, (long)p.pw);
  compare(what, Y, ref);
}

// 3x3 stride-1 convolutions with 16+ channels (Winograd F(2x2, 3x3)): odd and even output sizes (cropped
// tiles), pads 0-2, several tile blocks and row ranges, each activation, with and without a residual;
// the same problem on the direct / gathered path must agree too.
static void test_conv_winograd(int trial) {
  Conv2dParams p;
  p.group = 1, p.KH = p.KW = 3, p.sh = p.sw = 1, p.dh = p.dw = 1;
  p.N = ri(1, 3), p.C = ri(16, 70), p.M = ri(16, 50);
  p.ph = ri(0, 2), p.pw = ri(0, 2);
  p.H = trial % 4 == 0 ? ri(30, 40) : ri(1, 13), p.W = trial % 4 == 0 ? ri(30, 40) : ri(1, 13);
  p.OH = p.H + 2 * p.ph - 2, p.OW = p.W + 2 * p.pw - 2;
  if (p.OH <= 0 || p.OW <= 0) return;
  const int act = static_cast<int>(ri(0, 3));
  const bool resid = trial % 3 != 1;
  auto X = rnd(p.N * p.C * p.H * p.W), W = rnd(p.M * p.C * 9), bias = rnd(p.M), R = rnd(p.N * p.M * p.OH * p.OW);
  if (!winograd_applies(p)) {
    failures++;
    std::printf("  FAIL winograd #%d: not applied\n", trial);
    return;
  }
  std::vector<float> packed(conv2d_packed_weight_floats(p)), Y(p.N * p.M * p.OH * p.OW);
  conv2d_pack_weight(p, W.data(), packed.data());
  conv2d_run(p, X.data(), packed.data(), bias.data(), Y.data(), static_cast<Act>(act), resid ? R.data() : nullptr);
  set_winograd(false);
  std::vector<float> packed2(conv2d_packed_weight_floats(p)), Y2(Y.size());
  conv2d_pack_weight(p, W.data(), packed2.data());
  conv2d_run(p, X.data(), packed2.data(), bias.data(), Y2.data(), static_cast<Act>(act), resid ? R.data() : nullptr);
  set_winograd(true);
  const std::vector<double> ref = conv_ref(p, X, W, bias, act, resid ? R.data() : nullptr);
  char what[200];
  std::snprintf(what, sizeof what, "winograd #%d N=%ld C=%ld M=%ld %ldx%ld p=%ld,%ld act=%d resid=%d", trial, (long)p.N,
                (long)p.C, (long)p.M, (long)p.H, (long)p.W, (long)p.ph, (long)p.pw, act, resid);
  compare(what, Y, ref);
  std::snprintf(what + std::strlen(what), sizeof what - std::strlen(what), " (direct path)");
  compare(what, Y2, ref);
}

// Which convolutions get Winograd weights: 3x3 stride-1 ones, up to a 64 MB plain weight (the 2560 -> 1280
// convolution of a UNet keeps plain panels), never strided ones or fewer than 16 channels.
static void test_winograd_choice() {
  Conv2dParams p;
  p.group = 1, p.KH = p.KW = 3, p.sh = p.sw = 1, p.dh = p.dw = 1, p.N = 1, p.H = p.W = 8, p.OH = p.OW = 8, p.ph = p.pw = 1;
  struct Case { int64_t C, M, sh; bool want; } cases[] = {
      {1280, 1280, 1, true}, {1920, 640, 1, true}, {1920, 1280, 1, false}, {2560, 1280, 1, false}, {16, 16, 1, true}, {15, 64, 1, false}, {64, 64, 2, false}};
  for (const Case& c : cases) {
    p.C = c.C, p.M = c.M, p.sh = p.sw = c.sh;
    if (winograd_applies(p) != c.want) {
      failures++;
      std::printf("  FAIL winograd choice C=%ld M=%ld stride=%ld: want %d\n", (long)c.C, (long)c.M, (long)c.sh, c.want);
    }
  }
}

// Large images (gathered panels over several column blocks; with C >= 40 and 3x3 also several K blocks).
static void test_conv_large(int trial) {
  Conv2dParams p;
  p.group = ri(1, 2);
  p.N = ri(1, 2), p.C = p.group * (trial % 3 == 0 ? ri(40, 48) : ri(1, 4)), p.M = p.group * ri(1, 20);  // K past one block
  p.KH = ri(1, 3), p.KW = ri(1, 3), p.sh = ri(1, 2), p.sw = 1, p.dh = ri(1, 2), p.dw = ri(1, 2), p.ph = ri(0, 2), p.pw = ri(0, 2);
  if (trial % 3 == 0) p.KH = p.KW = 3;  // with C >= 40: K = 360 or more, past one K block
  const int64_t eh = (p.KH - 1) * p.dh + 1, ew = (p.KW - 1) * p.dw + 1;
  p.W = ri(68, 72), p.H = ri(68, 70) * p.sh;
  p.OH = (p.H + 2 * p.ph - eh) / p.sh + 1, p.OW = (p.W + 2 * p.pw - ew) + 1;
  const int64_t Cg = p.C / p.group;
  auto X = rnd(p.N * p.C * p.H * p.W), W = rnd(p.M * Cg * p.KH * p.KW), bias = rnd(p.M), R = rnd(p.N * p.M * p.OH * p.OW);
  const bool resid = trial % 2 == 0;
  std::vector<float> packed(conv2d_packed_weight_floats(p)), Y(p.N * p.M * p.OH * p.OW);
  conv2d_pack_weight(p, W.data(), packed.data());
  conv2d_run(p, X.data(), packed.data(), bias.data(), Y.data(), Act::Relu, resid ? R.data() : nullptr);
  const std::vector<double> ref = conv_ref(p, X, W, bias, 1, resid ? R.data() : nullptr);  // ReLU
  char what[200];
  std::snprintf(what, sizeof what, "large conv #%d N=%ld C=%ld M=%ld g=%ld %ldx%ld k=%ldx%ld sh=%ld d=%ld,%ld p=%ld,%ld", trial,
                (long)p.N, (long)p.C, (long)p.M, (long)p.group, (long)p.H, (long)p.W, (long)p.KH, (long)p.KW, (long)p.sh,
                (long)p.dh, (long)p.dw, (long)p.ph, (long)p.pw);
  compare(what, Y, ref);
}

struct AttnGeo {
  int64_t B, Hq, Hkv, qb, qh, kb, kh, vb, vh, yb, yh;
};

static void test_attention(int trial) {
  AttentionParams p;
  AttnGeo g;
  g.B = ri(1, 2), g.Hkv = ri(1, 2), g.Hq = g.Hkv * ri(1, 2), p.Sq = ri(1, 140), p.Skv = ri(1, 150), p.D = ri(1, 40), p.Dv = ri(1, 40);
  p.scale = 0.3f, p.causal = ri(0, 1);
  if (p.causal && p.Skv < p.Sq) p.Skv = p.Sq;
  // 4-D layout [B, H, S, d]
  g.qb = g.Hq * p.Sq * p.D, g.qh = p.Sq * p.D, p.qs = p.D;
  g.kb = g.Hkv * p.Skv * p.D, g.kh = p.Skv * p.D, p.ks = p.D;
  g.vb = g.Hkv * p.Skv * p.Dv, g.vh = p.Skv * p.Dv, p.vs = p.Dv;
  g.yb = g.Hq * p.Sq * p.Dv, g.yh = p.Sq * p.Dv, p.ys = p.Dv;
  p.BH = g.B * g.Hq;
  std::vector<int64_t> qo(p.BH), ko(p.BH), vo(p.BH), yo(p.BH);
  for (int64_t t = 0; t < p.BH; t++) {
    const int64_t b = t / g.Hq, h = t % g.Hq, kvh = h / (g.Hq / g.Hkv);
    qo[t] = b * g.qb + h * g.qh, yo[t] = b * g.yb + h * g.yh, ko[t] = b * g.kb + kvh * g.kh, vo[t] = b * g.vb + kvh * g.vh;
  }
  p.qo = qo.data(), p.ko = ko.data(), p.vo = vo.data(), p.yo = yo.data();
  auto Q = rnd(g.B * g.qb), K = rnd(g.B * g.kb), V = rnd(g.B * g.vb);
  for (auto& x : Q) x *= 3.f;  // peakier softmax
  std::vector<float> Y(g.B * g.yb);
  attention_run(p, Q.data(), K.data(), V.data(), Y.data());
  std::vector<double> ref(Y.size());
  for (int64_t b = 0; b < g.B; b++)
    for (int64_t h = 0; h < g.Hq; h++) {
      const int64_t kh = h / (g.Hq / g.Hkv);
      for (int64_t i = 0; i < p.Sq; i++) {
        std::vector<double> s(p.Skv);
        double mx = -1e300;
        const int64_t n = p.causal ? std::min(p.Skv, i + 1) : p.Skv;
        for (int64_t j = 0; j < n; j++) {
          double d = 0;
          for (int64_t e = 0; e < p.D; e++) d += double(Q[b * g.qb + h * g.qh + i * p.qs + e]) * K[b * g.kb + kh * g.kh + j * p.ks + e];
          s[j] = d * p.scale;
          mx = std::max(mx, s[j]);
        }
        double l = 0;
        for (int64_t j = 0; j < n; j++) l += (s[j] = std::exp(s[j] - mx));
        for (int64_t e = 0; e < p.Dv; e++) {
          double o = 0;
          for (int64_t j = 0; j < n; j++) o += s[j] * V[b * g.vb + kh * g.vh + j * p.vs + e];
          ref[b * g.yb + h * g.yh + i * p.ys + e] = o / l;
        }
      }
    }
  char what[160];
  std::snprintf(what, sizeof what, "attention #%d B=%ld Hq=%ld Hkv=%ld Sq=%ld Skv=%ld D=%ld Dv=%ld causal=%d", trial, (long)g.B,
                (long)g.Hq, (long)g.Hkv, (long)p.Sq, (long)p.Skv, (long)p.D, (long)p.Dv, p.causal);
  compare(what, Y, ref);
}

// GFLOP/s of the best of 6 runs; `bf16`: B as bf16 panels.
static double bench_gemm(int64_t M, int64_t K, int64_t N, bool bf16 = false) {
  auto A = rnd(M * K), B = rnd(K * N);
  std::vector<float> C(M * N), Bp(packed_floats(N, K, active_kernel().nr));
  std::vector<uint16_t> B16(bf16 ? Bp.size() : 0);
  pack_panels(B.data(), 1, N, N, K, active_kernel().nr, 1.f, Bp.data());
  if (bf16) pack_panels_bf16(B.data(), 1, N, N, K, active_kernel().nr, B16.data());
  StridedOperand sa(A.data(), K, 1, {});
  PackedOperand pb(Bp.data(), K, {});
  Bf16Panels b16;
  b16.data = B16.data();
  GemmCall g;
  g.M = M, g.N = N, g.K = K, g.A = &sa, g.B = &pb, g.B_prepacked = true, g.C = C.data(), g.ldc = N;
  if (bf16) g.B16 = &b16;
  double best = 1e9;
  for (int r = 0; r < 6; r++) {
    auto t0 = std::chrono::steady_clock::now();
    gemm_run(g);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * M * N * K / best / 1e9;
}

int main() {
  std::printf("threads: %d\n", ThreadPool::global().size());
  for (const char* isa : available_isas()) {
    set_isa(isa);
    worst = 0;
    const int before = failures;
    for (int t = 0; t < 60; t++) test_gemm(t);
    for (int t = 0; t < 40; t++) test_conv(t);
    for (int t = 0; t < 8; t++) test_conv_large(t);
    for (int t = 0; t < 24; t++) test_conv_winograd(t);
    test_winograd_choice();
    for (int t = 0; t < 30; t++) test_attention(t);
    const MicroKernel& uk = active_kernel();
    std::printf("%s (%dx%d): %s, worst rel err %.2e\n", isa, uk.mr, uk.nr, failures == before ? "ok" : "FAILED", worst);
    double peak = 0;
#if defined(ONNXFLOW_X86)
    if (std::string(isa) != "scalar") {
      std::vector<double> per(ThreadPool::global().size());
      ThreadPool::global().parallel_for(per.size(), [&](int64_t i, int) {
        per[i] = std::string(isa) == "avx512" ? fma_peak_avx512(0.3) : fma_peak_avx2(0.3);
      });
      for (double v : per) peak += v;
    }
#endif
    const double g1 = bench_gemm(1024, 1024, 1024), g2 = bench_gemm(4096, 320, 320);
    std::printf("  gemm 1024^3: %.1f GFLOP/s, 4096x320x320: %.1f GFLOP/s, FMA peak (all threads): %.1f GFLOP/s\n", g1, g2, peak);
    const double h1 = bench_gemm(1024, 1024, 1024, true), h2 = bench_gemm(1, 4096, 4096, true), f2 = bench_gemm(1, 4096, 4096);
    std::printf("  bf16 B: gemm 1024^3: %.1f GFLOP/s; gemv 1x4096x4096: %.1f GFLOP/s (fp32 B: %.1f)\n", h1, h2, f2);
  }
  return failures ? 1 : 0;
}
