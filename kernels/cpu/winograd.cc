#include "winograd.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "vec.h"

namespace onnxflow {

namespace {

constexpr int kMinChannels = 16;

/** -1: not set by set_winograd, so $ONNXFLOW_NATIVE_WINOGRAD (read once) decides. */
std::atomic<int> g_forced{-1};

bool enabled() {
  const int f = g_forced.load(std::memory_order_relaxed);
  if (f >= 0) return f != 0;
  static const bool env_on = [] {
    const char* e = std::getenv("ONNXFLOW_NATIVE_WINOGRAD");
    return !(e && std::strcmp(e, "0") == 0);
  }();
  return env_on;
}

/**
 * A run of a block's tiles: consecutive lanes of one panel that are consecutive tiles of one tile row,
 * tiles [lo, hi) of it (lane offsets) reading their 4x4 patches entirely inside X.
 */
struct Run {
  int64_t lane, len, n, oy, ox;  // first lane, tiles; image, output row and column of the first tile
  int64_t lo, hi;
};

constexpr int64_t kMaxBlock = 64;  // tiles per block (the output transform's staging rows)

/** The 4x4 patch at input row iy, column ix of a channel plane with zeros outside it, into d. */
inline void border_patch(const float* plane, int64_t H, int64_t W, int64_t iy, int64_t ix, float* d) {
  for (int r = 0; r < 4; r++) {
    const int64_t y = iy + r;
    for (int c = 0; c < 4; c++) {
      const int64_t x = ix + c;
      d[r * 4 + c] = (y >= 0 && y < H && x >= 0 && x < W) ? plane[y * W + x] : 0.f;
    }
  }
}

}  // namespace

// Winograd weights take 16/9 of the plain panels' memory. Convolutions whose plain weight is larger than
// this keep plain panels: the widest convolutions of a UNet sit at its lowest resolution, where the
// image is smallest and Winograd gains least (1280 channels at 4x4: even; at 8x8: 1.5x), while their
// weights are most of the model (sd-base UNet: the 2560 -> 1280 and 1920 -> 1280 convolutions, 197 MB
// plain; with them plain the session's peak RSS went 2.42 -> 2.27 GB, onnxruntime's is 2.36, and the
// step time did not move beyond noise). $ONNXFLOW_NATIVE_WINOGRAD_MAX_MB overrides.
double max_weight_bytes() {
  static const double v = [] {
    const char* e = std::getenv("ONNXFLOW_NATIVE_WINOGRAD_MAX_MB");
    return (e ? std::max(0.0, std::atof(e)) : 64.0) * 1048576.0;
  }();
  return v;
}

bool winograd_applies(const Conv2dParams& p) {
  return p.KH == 3 && p.KW == 3 && p.sh == 1 && p.sw == 1 && p.dh == 1 && p.dw == 1 && p.group == 1 &&
         p.C >= kMinChannels && p.M >= kMinChannels && 36.0 * static_cast<double>(p.M) * p.C <= max_weight_bytes() &&
         enabled();
}

bool set_winograd(bool on) {
  const bool prev = enabled();
  g_forced.store(on ? 1 : 0, std::memory_order_relaxed);
  return prev;
}

int64_t winograd_packed_floats(const Conv2dParams& p) { return 16 * packed_floats(p.M, p.C, active_kernel().mr); }

void winograd_pack_weight(const Conv2dParams& p, const float* w, float* packed) {
  const int MR = active_kernel().mr;
  const int64_t per = packed_floats(p.M, p.C, MR);
  std::fill(packed, packed + 16 * per, 0.f);  // rows past M in the last panel
  for (int64_t m = 0; m < p.M; m++) {
    for (int64_t c = 0; c < p.C; c++) {
      const float* g = w + (m * p.C + c) * 9;
      float gg[12];  // G g (4 x 3), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
      for (int j = 0; j < 3; j++) {
        gg[0 * 3 + j] = g[0 * 3 + j];
        gg[1 * 3 + j] = 0.5f * (g[0 * 3 + j] + g[1 * 3 + j] + g[2 * 3 + j]);
        gg[2 * 3 + j] = 0.5f * (g[0 * 3 + j] - g[1 * 3 + j] + g[2 * 3 + j]);
        gg[3 * 3 + j] = g[2 * 3 + j];
      }
      float* dst = packed + (m / MR) * p.C * MR + c * MR + m % MR;
      for (int i = 0; i < 4; i++) {  // (G g) G^T
        const float a = gg[i * 3], b = gg[i * 3 + 1], cc = gg[i * 3 + 2];
        const float u[4] = {a, 0.5f * (a + b + cc), 0.5f * (a - b + cc), cc};
        for (int j = 0; j < 4; j++) dst[(i * 4 + j) * per] = u[j];
      }
    }
  }
}

namespace {

/** One call's geometry and its blocks of tiles: building a block's runs, and the three steps on a block. */
class Winograd {
 public:
  struct Block {
    int64_t nt = 0, tp = 0, ntp = 0;  // tiles, panels, lanes (tp * NR)
    Run runs[kMaxBlock];
    int nruns = 0;
  };

  Winograd(const Conv2dParams& p, const float* x, const float* packed, const float* bias, float* y, Act act,
           const float* residual)
      : p_(p), x_(x), packed_(packed), bias_(bias), y_(y), residual_(residual), act_(act), uk_(active_kernel()),
        vo_(active_vec()), MR(uk_.mr), NR(uk_.nr), TW((p.OW + 1) / 2), per_image(((p.OH + 1) / 2) * TW),
        tiles(p.N * per_image), TB(std::max<int64_t>(NR, kMaxBlock / NR * NR)), blocks((tiles + TB - 1) / TB),
        panels((p.M + MR - 1) / MR), per(packed_floats(p.M, p.C, MR)) {}

  /** Block blk's tiles as runs (split at panel and tile-row ends). */
  void block(int64_t blk, Block& b) const {
    const int64_t q0 = blk * TB;
    b.nt = std::min(TB, tiles - q0), b.tp = (b.nt + NR - 1) / NR, b.ntp = b.tp * NR, b.nruns = 0;
    for (int64_t i = 0; i < b.nt;) {
      const int64_t q = q0 + i, n = q / per_image, r = q % per_image, ty = r / TW, tx = r % TW;
      const int64_t len = std::min({TW - tx, b.nt - i, NR - i % NR});
      Run& u = b.runs[b.nruns++];
      u.lane = i, u.len = len, u.n = n, u.oy = 2 * ty, u.ox = 2 * tx;
      const int64_t iy = u.oy - p_.ph, right = p_.W + p_.pw - 4 - u.ox;
      if (iy < 0 || iy + 4 > p_.H || right < 0) {
        u.lo = u.hi = 0;
      } else {  // tiles k with 0 <= 2 (tx + k) - pw and 2 (tx + k) - pw + 4 <= W
        u.lo = std::min(len, std::max<int64_t>(0, (p_.pw - u.ox + 1) / 2));
        u.hi = std::max(u.lo, std::min(len, right / 2 + 1));
      }
      i += len;
    }
  }

  /** Floats between V's (and M's) 16 matrices: a cache line more than their size (the transforms touch
   * all 16 at once, and 16 streams a multiple of 4 KB apart share one L1 set). */
  int64_t v_stride(const Block& b) const { return b.ntp * p_.C + 16; }

  /** Channels [c0, c1) of a block into packed-B panels: V_xi[panel][c][lane] (lanes past its tiles zero). */
  void input(const Block& b, int64_t c0, int64_t c1, float* V) const {
    const int64_t H = p_.H, W = p_.W, C = p_.C, Vs = v_stride(b);
    for (int64_t c = c0; c < c1; c++) {
      for (int ri = 0; ri < b.nruns; ri++) {
        const Run& u = b.runs[ri];
        const float* plane = x_ + (u.n * C + c) * H * W;
        float* dst = V + (u.lane / NR) * C * NR + c * NR + u.lane % NR;
        const int64_t iy = u.oy - p_.ph;
        for (int64_t k = 0; k < u.len; k++) {
          if (k == u.lo && u.hi > u.lo) {  // patches inside X, read in place
            vo_.wino_in(plane + iy * W + u.ox + 2 * k - p_.pw, W, u.hi - u.lo, dst + k, Vs);
            k = u.hi - 1;
            continue;
          }
          float d[16];
          border_patch(plane, H, W, iy, u.ox + 2 * k - p_.pw, d);
          vo_.wino_in(d, 4, 1, dst + k, Vs);
        }
      }
      if (b.nt < b.ntp) {
        float* dst = V + (b.tp - 1) * C * NR + c * NR;
        for (int xi = 0; xi < 16; xi++) std::fill(dst + xi * Vs + b.nt % NR, dst + xi * Vs + NR, 0.f);
      }
    }
  }

  /**
   * Rows [m0, m1) of the block's 16 products M_xi = U_xi V_xi into Mb (matrix xi at xi * ms, row m at
   * (m - m0) * ntp), K blocked: an A panel's kc x MR stays in L1, the block's kc x ntp V panels in L2.
   */
  void products(const Block& b, const float* V, int64_t m0, int64_t m1, float* Mb, int64_t ms) const {
    const int64_t C = p_.C, KC = uk_.kc, Vs = v_stride(b);
    for (int xi = 0; xi < 16; xi++) {
      const float* U = packed_ + xi * per;
      const float* Vx = V + xi * Vs;
      float* Mx = Mb + xi * ms;
      for (int64_t k0 = 0; k0 < C; k0 += KC) {
        const int64_t kc = std::min(KC, C - k0);
        for (int64_t m = m0; m < m1; m += MR) {
          const int mr = static_cast<int>(std::min<int64_t>(MR, m1 - m));
          const float* a = U + (m / MR) * C * MR + k0 * MR;
          float* crow = Mx + (m - m0) * b.ntp;
          for (int64_t j = 0; j < b.tp; j++) uk_.fn[mr - 1](kc, a, Vx + j * C * NR + k0 * NR, crow + j * NR, b.ntp, k0 > 0);
        }
      }
    }
  }

  /** Y's tiles of the block for channels [m0, m1): A^T M A + bias, the activation, + the residual. */
  void output(const Block& b, int64_t m0, int64_t m1, const float* Mb, int64_t ms) const {
    const int64_t M = p_.M, OH = p_.OH, OW = p_.OW;
    alignas(64) float o[4][kMaxBlock];
    for (int64_t m = m0; m < m1; m++) {
      vo_.wino_out(Mb + (m - m0) * b.ntp, ms, b.nt, o[0], kMaxBlock);
      const float bv = bias_ ? bias_[m] : 0.f;
      for (int k = 0; k < 4; k++) vo_.bias_act(o[k], b.nt, bv, nullptr, static_cast<int>(act_));
      for (int ri = 0; ri < b.nruns; ri++) {
        const Run& u = b.runs[ri];
        const int64_t off = ((u.n * M + m) * OH + u.oy) * OW + u.ox;
        float* y0 = y_ + off;
        const float* r0 = residual_ ? residual_ + off : nullptr;
        const float *o0 = o[0] + u.lane, *o1 = o[1] + u.lane, *o2 = o[2] + u.lane, *o3 = o[3] + u.lane;
        const int64_t cols = std::min(2 * u.len, OW - u.ox);  // the last tile of an odd row: one column
        const bool two_rows = u.oy + 1 < OH;
        if (r0) {
          for (int64_t j = 0; j < cols; j++) y0[j] = ((j & 1) ? o1 : o0)[j >> 1] + r0[j];
          if (two_rows)
            for (int64_t j = 0; j < cols; j++) y0[OW + j] = ((j & 1) ? o3 : o2)[j >> 1] + r0[OW + j];
        } else {
          for (int64_t j = 0; j < cols; j++) y0[j] = ((j & 1) ? o1 : o0)[j >> 1];
          if (two_rows)
            for (int64_t j = 0; j < cols; j++) y0[OW + j] = ((j & 1) ? o3 : o2)[j >> 1];
        }
      }
    }
  }

 private:
  const Conv2dParams& p_;
  const float *x_, *packed_, *bias_;
  float* y_;
  const float* residual_;
  Act act_;
  const MicroKernel& uk_;
  const VecOps& vo_;

 public:
  const int MR, NR;
  const int64_t TW, per_image, tiles, TB, blocks, panels, per;
};

}  // namespace

void winograd_run(const Conv2dParams& p, const float* x, const float* packed, const float* bias, float* y, Act act,
                  const float* residual) {
  if (p.N == 0 || p.OH <= 0 || p.OW <= 0) return;
  const Winograd w(p, x, packed, bias, y, act, residual);
  ThreadPool& pool = ThreadPool::global();
  const int T = 2.0 * 16 * w.tiles * p.M * p.C < gemm_parallel_flops() ? 1 : pool.size();
  const int64_t blocks = w.blocks, panels = w.panels, MR = w.MR;
  auto rows = [&](int64_t mp, int64_t mparts, int64_t* m0, int64_t* m1) {
    *m0 = panels * mp / mparts * MR, *m1 = std::min(p.M, panels * (mp + 1) / mparts * MR);
  };
  if (blocks >= 2 * T) {
    // Large images: a task per block of tiles (V, 16 x C x TB, and M, 16 x M x TB, stay in L2 / L3 while
    // its 16 GEMMs run).
    auto task = [&](int64_t blk, int) {
      Winograd::Block b;
      w.block(blk, b);
      thread_local Scratch t_v, t_m;
      const int64_t ms = p.M * b.ntp + 16;
      float* V = t_v.get(static_cast<size_t>(16 * w.v_stride(b)));
      float* Mb = t_m.get(static_cast<size_t>(16 * ms));
      w.input(b, 0, p.C, V);
      w.products(b, V, 0, p.M, Mb, ms);
      w.output(b, 0, p.M, Mb, ms);
    };
    if (T == 1) {
      for (int64_t t = 0; t < blocks; t++) task(t, 0);
    } else {
      pool.parallel_for(blocks, task);
    }
    return;
  }
  // Small images (fewer blocks than 2 per thread): every block's V first, channel ranges in parallel,
  // then tasks of (block, range of output rows) share it.
  std::vector<Winograd::Block> bs(static_cast<size_t>(blocks));
  std::vector<int64_t> voff(static_cast<size_t>(blocks) + 1, 0);
  for (int64_t i = 0; i < blocks; i++) {
    w.block(i, bs[i]);
    voff[i + 1] = voff[i] + 16 * w.v_stride(bs[i]);
  }
  thread_local Scratch t_all;
  float* Vall = t_all.get(static_cast<size_t>(voff[blocks]));
  const int64_t cparts = T == 1 ? 1 : std::min<int64_t>(p.C, 4 * T);
  auto in_task = [&](int64_t t, int) {
    const int64_t i = t / cparts, cp = t % cparts;
    w.input(bs[i], p.C * cp / cparts, p.C * (cp + 1) / cparts, Vall + voff[i]);
  };
  int64_t mparts = 1;
  while (T > 1 && blocks * mparts < 4 * T && mparts * 2 <= panels) mparts *= 2;
  auto task = [&](int64_t t, int) {
    const int64_t i = t / mparts;
    int64_t m0, m1;
    rows(t % mparts, mparts, &m0, &m1);
    if (m0 >= m1) return;
    thread_local Scratch t_m;
    const int64_t ms = (m1 - m0) * bs[i].ntp + 16;
    float* Mb = t_m.get(static_cast<size_t>(16 * ms));
    w.products(bs[i], Vall + voff[i], m0, m1, Mb, ms);
    w.output(bs[i], m0, m1, Mb, ms);
  };
  if (T == 1) {
    for (int64_t t = 0; t < blocks * cparts; t++) in_task(t, 0);
    for (int64_t t = 0; t < blocks * mparts; t++) task(t, 0);
  } else {
    pool.parallel_for(blocks * cparts, in_task);
    pool.parallel_for(blocks * mparts, task);
  }
}

}  // namespace onnxflow
