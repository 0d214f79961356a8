#include "conv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "vec.h"
#include "window.h"
#include "winograd.h"

namespace onnxflow {

namespace {

/** B operand = the patch matrix of X[n, g]: row p = output position, k = (c, kh, kw). */
class PatchOperand : public Operand {
 public:
  PatchOperand(const Conv2dParams& p, const float* x) : p_(p), x_(x) {}

  const float* block(int64_t b, int64_t r0, int64_t rc, int64_t k0, int64_t kc, int P, float* buf,
                     int64_t* panel_stride) const override {
    gather(b, r0, rc, k0, kc, P, buf, kc * P);
    *panel_stride = kc * P;
    return buf;
  }

  /**
   * Positions [r0, r0 + rc) x k [k0, k0 + kc) of batch b as panels of P positions: k's row of panel j
   * at dst[j * panel_stride + k * P] (so a k range can be gathered straight into a full-K layout).
   */
  void gather(int64_t b, int64_t r0, int64_t rc, int64_t k0, int64_t kc, int P, float* buf, int64_t panel_stride) const {
    const Conv2dParams& p = p_;
    const int64_t n = b / p.group, g = b % p.group, Cg = p.C / p.group;
    const float* xb = x_ + (n * p.C + g * Cg) * p.H * p.W;
    // The block's positions as segments that stay inside one output row and one panel: each reads
    // one run of an input row (strided when sw > 1). Computed once per block, so the loop over
    // k = (c, kh, kw) below does no division (a few per k made the gather, not the FMAs, the cost
    // of convolutions on small images such as 8x8 latents).
    thread_local std::vector<Seg> segs;
    segs.clear();
    for (int64_t i = 0; i < rc;) {
      const int64_t q = r0 + i, oh = q / p.OW, ow = q % p.OW;
      const int64_t lane = i % P;
      const int64_t len = std::min<int64_t>({p.OW - ow, rc - i, P - lane});
      const int64_t ih0 = oh * p.sh - p.ph, iw0 = ow * p.sw - p.pw;
      segs.push_back({static_cast<int32_t>((i / P) * panel_stride + lane), static_cast<int32_t>(len), ih0, iw0, ih0 * p.W + iw0});
      i += len;
    }
    int uniform = segs.empty() ? 0 : segs[0].len;
    for (const Seg& sg : segs)
      if (sg.len != uniform) uniform = 0;
    const bool inside = p.ph == 0 && p.pw == 0 && (p.OH - 1) * p.sh + (p.KH - 1) * p.dh < p.H &&
                        (p.OW - 1) * p.sw + (p.KW - 1) * p.dw < p.W;
    const int64_t panels = (rc + P - 1) / P;
    const int64_t tail = rc - (panels - 1) * P;  // lanes used in the last panel
    int64_t c = k0 / (p.KH * p.KW), r = k0 % (p.KH * p.KW);
    int64_t kh = r / p.KW, kw = r % p.KW;
    for (int64_t k = 0; k < kc; k++) {
      const int64_t dy = kh * p.dh, dx = kw * p.dw;
      const float* xc = xb + c * p.H * p.W;
      float* bk = buf + k * P;
      if (inside && p.sw == 1) {
        // every window inside X (a padded copy): each segment is a plain run, no bounds to check; runs
        // of one common length 4 / 8 / 16 (small images) copy as fixed-size blocks (vector moves)
        const float* base = xc + dy * p.W + dx;
        switch (uniform) {
          case 4: for (const Seg& sg : segs) std::memcpy(bk + sg.dst, base + sg.src, 4 * sizeof(float)); break;
          case 8: for (const Seg& sg : segs) std::memcpy(bk + sg.dst, base + sg.src, 8 * sizeof(float)); break;
          case 16: for (const Seg& sg : segs) std::memcpy(bk + sg.dst, base + sg.src, 16 * sizeof(float)); break;
          default:
            for (const Seg& sg : segs) {
              const float* src = base + sg.src;
              float* d = bk + sg.dst;
              for (int t = 0; t < sg.len; t++) d[t] = src[t];
            }
        }
      } else {
        gather_checked(segs, xc, dy, dx, bk);
      }
      if (tail < P) {
        float* d = bk + (panels - 1) * panel_stride;
        for (int64_t j = tail; j < P; j++) d[j] = 0.f;
      }
      if (++kw == p.KW) {
        kw = 0;
        if (++kh == p.KH) kh = 0, c++;
      }
    }
  }

 private:
  struct Seg {
    int32_t dst;  // offset in the packed block for k = 0: panel * panel_stride + lane
    int32_t len;
    int64_t ih0, iw0;  // input row / column of the first position's window origin
    int64_t src;       // ih0 * W + iw0
  };

  /** One k's row of every segment with bounds checks (zeros outside X). */
  void gather_checked(const std::vector<Seg>& segs, const float* xc, int64_t dy, int64_t dx, float* bk) const {
    const Conv2dParams& p = p_;
    for (const Seg& sg : segs) {
      float* d = bk + sg.dst;
      const int len = sg.len;
      const int64_t ih = sg.ih0 + dy;
      if (ih < 0 || ih >= p.H) {
        for (int t = 0; t < len; t++) d[t] = 0.f;
        continue;
      }
      const float* src = xc + ih * p.W;
      const int64_t iw = sg.iw0 + dx;
      if (p.sw == 1) {
        if (iw >= 0 && iw + len <= p.W) {
          // short runs (small images) as an inline loop: a memcpy call per run cost more than the copy
          if (len <= 16) {
            for (int t = 0; t < len; t++) d[t] = src[iw + t];
          } else {
            std::memcpy(d, src + iw, len * sizeof(float));
          }
          continue;
        }
        int t = 0;
        for (; t < len && iw + t < 0; t++) d[t] = 0.f;
        const int hi = static_cast<int>(std::min<int64_t>(len, p.W - iw));
        for (; t < hi; t++) d[t] = src[iw + t];
        for (; t < len; t++) d[t] = 0.f;
      } else {
        for (int t = 0; t < len; t++) {
          const int64_t w = iw + t * p.sw;
          d[t] = (w >= 0 && w < p.W) ? src[w] : 0.f;
        }
      }
    }
  }

  const Conv2dParams& p_;
  const float* x_;
};

/**
 * Runs `call` with B = the patch matrix of X. Small outputs (at most 64 positions, e.g. 8x8 latents)
 * run as (image range, output-channel range) tasks, each a serial GEMM of its rows over its images:
 * rows split across the threads first, so a thread's share of the packed weights is half of them and
 * tends to stay in its L2 from call to call (as separate gather and product phases, a small product
 * scaled ~1.2x on 2 threads); images split too when there are fewer row panels than threads. Several
 * images: their patches are gathered once, in parallel, into a shared buffer first; one image (or a
 * shared buffer over 16 MB): each task gathers the patches it needs itself. Otherwise each GEMM task
 * gathers its own block.
 */
void run_patches(GemmCall& call, const Conv2dParams& q, const float* xq, int64_t batch, int64_t Kc) {
  PatchOperand patches(q, xq);
  const int64_t P = q.OH * q.OW;
  const int MR = active_kernel().mr, NR = active_kernel().nr;
  const int64_t per = packed_floats(P, Kc, NR);
  if (P <= 64 && per <= (int64_t(1) << 22)) {
    ThreadPool& pool = ThreadPool::global();
    const int64_t M = call.M, panels = (M + MR - 1) / MR;
    const double flops = 2.0 * batch * M * P * Kc;
    const int64_t T = flops < gemm_parallel_flops() ? 1 : pool.size();
    const int64_t splits = std::max<int64_t>(1, std::min<int64_t>(T, panels));      // row ranges
    const int64_t bparts = std::max<int64_t>(1, std::min<int64_t>(batch, T / splits));  // image ranges
    const bool shared = T > 1 && batch > 1 && batch * per <= (int64_t(1) << 22);
    thread_local Scratch t_shared;
    float* all = shared ? t_shared.get(static_cast<size_t>(batch * per)) : nullptr;
    if (shared) pool.parallel_for(batch, [&](int64_t b, int) { patches.gather(b, 0, P, 0, Kc, NR, all + b * per, Kc * NR); });
    auto task = [&](int64_t t, int) {
      const int64_t s = t % splits, bp0 = t / splits;
      // whole panels, as even as they go: split s takes panels [panels * s / splits, panels * (s + 1) / splits)
      const int64_t m0 = panels * s / splits * MR, m1 = std::min(M, panels * (s + 1) / splits * MR);
      const int64_t b0 = batch * bp0 / bparts, b1 = batch * (bp0 + 1) / bparts;
      if (m0 >= m1) return;
      thread_local Scratch t_patches;
      float* own = shared ? nullptr : t_patches.get(static_cast<size_t>(per));
      for (int64_t b = b0; b < b1; b++) {
        float* bp = shared ? all + b * per : own;
        if (!shared) patches.gather(b, 0, P, 0, Kc, NR, bp, Kc * NR);
        int64_t ps;  // the weights' panels for rows m0.. of this image's group (call.A is prepacked)
        PackedOperand A(call.A->block(b, m0, m1 - m0, 0, Kc, MR, nullptr, &ps), Kc, {});
        PackedOperand B(bp, Kc, {});
        GemmCall sub;
        sub.M = m1 - m0, sub.N = P, sub.K = Kc;
        sub.A = &A, sub.A_prepacked = true, sub.B = &B, sub.B_prepacked = true;
        sub.C = call.c_at(b) + m0 * call.ldc;
        sub.ldc = call.ldc;
        sub.accumulate = call.accumulate;
        sub.serial = true;
        if (call.ep.row_bias) sub.ep.row_bias = call.row_bias_at(b) + m0;
        if (call.ep.residual) sub.ep.residual = call.residual_at(b) + m0 * call.ldc;
        sub.ep.col_bias = call.ep.col_bias;
        sub.ep.act = call.ep.act;
        gemm_run(sub);
      }
    };
    const int64_t tasks = splits * bparts;
    if (tasks == 1) {
      task(0, 0);
    } else {
      pool.parallel_for(tasks, task);
    }
    return;
  }
  call.B = &patches;
  gemm_run(call);
}

/**
 * $ONNXFLOW_NATIVE_DIRECT_CONV=0 turns direct convolution off (the patch-gathering path runs instead;
 * for comparisons). Read once: a getenv per call could race a setenv on the JS thread.
 */
bool direct_conv_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("ONNXFLOW_NATIVE_DIRECT_CONV");
    return !(e && std::strcmp(e, "0") == 0);
  }();
  return on;
}

/** X's N x C planes into Hp x Wp planes with the pads' zeros around them (planes in parallel when large). */
void pad_image(const Conv2dParams& p, const float* x, int64_t Hp, int64_t Wp, float* xp) {
  const int64_t x0 = std::min<int64_t>(Wp, std::max<int64_t>(0, p.pw));          // first column with data
  const int64_t x1 = std::max<int64_t>(x0, std::min<int64_t>(Wp, p.pw + p.W));  // one past the last
  auto plane = [&](int64_t i, int) {
    const float* src = x + i * p.H * p.W;
    float* dst = xp + i * Hp * Wp;
    for (int64_t yy = 0; yy < Hp; yy++, dst += Wp) {
      const int64_t sy = yy - p.ph;
      if (sy < 0 || sy >= p.H) {
        std::memset(dst, 0, Wp * sizeof(float));
        continue;
      }
      std::memset(dst, 0, x0 * sizeof(float));
      std::memcpy(dst + x0, src + sy * p.W + (x0 - p.pw), (x1 - x0) * sizeof(float));
      std::memset(dst + x1, 0, (Wp - x1) * sizeof(float));
    }
  };
  const int64_t planes = p.N * p.C;
  if (planes * Hp * Wp < (int64_t(1) << 18)) {
    for (int64_t i = 0; i < planes; i++) plane(i, 0);
  } else {
    ThreadPool::global().parallel_for(planes, plane);
  }
}

/**
 * Direct convolution for stride-1 rows (sw == 1) whose output rows split into segments of G = 8
 * positions: each microkernel tile reads its 16 columns straight from the (padded) image xp at each
 * tap's offset (MicroFnConv), so no patch matrix (9x the image for a 3x3 conv) is gathered, stored or
 * read back. xp holds N x C planes of Hp x Wp with every window inside. Tasks: (group, range of tiles
 * across the group's images, range of row panels), each running K blocks over its tiles and the
 * weights' panels for its rows (kept in L2).
 * Returns false (nothing done) where the ISA has no such kernel or the shape does not fit.
 */
bool run_direct(const Conv2dParams& p, const float* xp, int64_t Hp, int64_t Wp, const float* packed, const float* bias, float* y,
                Act act, const float* residual) {
  const MicroKernel& uk = active_kernel();
  const int MR = uk.mr, NR = uk.nr;
  const int G = 8;
  if (p.sw != 1 || p.OW % G != 0 || NR % G != 0 || NR / G > 4 || !uk.fc[0]) return false;
  const MicroFnConv* fc = uk.fc;
  const int64_t Cg = p.C / p.group, Mg = p.M / p.group, KK = p.KH * p.KW, Kc = Cg * KK, P = p.OH * p.OW;
  if (static_cast<double>(Cg) * Hp * Wp >= 2147483647.0) return false;  // tap offsets are int32
  const int64_t per = packed_floats(Mg, Kc, MR);
  std::vector<int32_t> koff(static_cast<size_t>(Kc));
  for (int64_t k = 0; k < Kc; k++) {
    const int64_t c = k / KK, r = k % KK, kh = r / p.KW, kw = r % p.KW;
    koff[k] = static_cast<int32_t>(c * Hp * Wp + kh * p.dh * Wp + kw * p.dw);
  }
  // Tiles are numbered across the images of a group (image n's tile i is n * tiles + i), so one task can
  // cover several small images with the same weight rows: with few tiles an image (8x8: 4) the images
  // of a CFG batch share the weight panels a task reads instead of each reading the weights again.
  const int64_t tiles = (P + NR - 1) / NR, all_tiles = p.N * tiles, panels = (Mg + MR - 1) / MR;
  ThreadPool& pool = ThreadPool::global();
  const double flops = 2.0 * p.N * p.group * Mg * P * Kc;
  const int T = flops < gemm_parallel_flops() ? 1 : pool.size();
  // K blocks of equal depth around the microkernel's kc; a task's weight block (its rows x one K block)
  // stays in L2 (at most 40 panels x 6 rows x 256 deep = 240 KB), its tiles at most 8 (128 positions).
  const int64_t kc_nom = uk.kc, kblocks = (Kc + kc_nom + kc_nom / 2 - 1) / (kc_nom + kc_nom / 2);
  const int64_t KC = (Kc + kblocks - 1) / kblocks;
  int64_t tchunk = std::min<int64_t>(all_tiles, 8), rchunk = std::min<int64_t>(panels, std::max<int64_t>(1, (60 * 1024) / (MR * KC)));
  auto count = [&] { return p.group * ((all_tiles + tchunk - 1) / tchunk) * ((panels + rchunk - 1) / rchunk); };
  // Enough tasks for the threads: split tiles first, then rows (a few % faster than rows first at 8x8,
  // 2026-11-23).
  const int64_t want = T == 1 ? 1 : 4 * T;
  while (count() < want && tchunk > 1) tchunk = (tchunk + 1) / 2;
  while (count() < want && rchunk > 2) rchunk = (rchunk + 1) / 2;
  const int64_t tparts = (all_tiles + tchunk - 1) / tchunk, rparts = (panels + rchunk - 1) / rchunk;
  auto task = [&](int64_t t, int) {
    const int64_t g = t / (tparts * rparts), rem = t % (tparts * rparts);
    const int64_t tp = rem / rparts, rp = rem % rparts;  // row ranges vary fastest: neighbours share the images
    const float* ab = packed + g * per;
    const float* bb = bias ? bias + g * Mg : nullptr;
    const int64_t t0 = tp * tchunk, t1 = std::min(all_tiles, t0 + tchunk);
    const int64_t r0 = rp * rchunk * MR, r1 = std::min(Mg, (rp + 1) * rchunk * MR);
    alignas(64) float tmp[16 * 64];
    for (int64_t k0 = 0; k0 < Kc; k0 += KC) {
      const int64_t kc = std::min(KC, Kc - k0);
      const bool last = k0 + kc == Kc;
      for (int64_t tg = t0; tg < t1; tg++) {
        const int64_t n = tg / tiles, q0 = (tg % tiles) * NR, valid = std::min<int64_t>(NR, P - q0);
        const float* xb = xp + (n * p.C + g * Cg) * Hp * Wp;
        float* yb = y + (n * p.M + g * Mg) * P;
        int64_t seg[4] = {0, 0, 0, 0};
        for (int i = 0; i < NR / G; i++) {
          const int64_t q = q0 + i * G;
          seg[i] = q < P ? (q / p.OW) * p.sh * Wp + q % p.OW : seg[0];  // a missing segment rereads the first
        }
        for (int64_t m = r0; m < r1; m += MR) {
          const int mr = static_cast<int>(std::min<int64_t>(MR, r1 - m));
          const float* a = ab + (m / MR) * Kc * MR + k0 * MR;
          float* ct = yb + m * P + q0;
          if (valid == NR) {
            fc[mr - 1](kc, a, xb, koff.data() + k0, seg, ct, P, k0 > 0);
          } else {
            fc[mr - 1](kc, a, xb, koff.data() + k0, seg, tmp, NR, 0);
            for (int i = 0; i < mr; i++)
              for (int64_t j = 0; j < valid; j++) ct[i * P + j] = (k0 > 0 ? ct[i * P + j] : 0.f) + tmp[i * NR + j];
          }
          if (last)
            epilogue_tile(ct, P, mr, static_cast<int>(valid), bb ? bb + m : nullptr, nullptr, act,
                          residual ? residual + (ct - y) : nullptr);
        }
      }
    }
  };
  const int64_t tasks = p.group * tparts * rparts;
  if (T == 1 || tasks == 1) {
    for (int64_t t = 0; t < tasks; t++) task(t, 0);
  } else {
    pool.parallel_for(tasks, task);
  }
  return true;
}

}  // namespace

int64_t conv2d_packed_weight_floats(const Conv2dParams& p) {
  if (winograd_applies(p)) return winograd_packed_floats(p);
  const int64_t Mg = p.M / p.group, Kc = (p.C / p.group) * p.KH * p.KW;
  return p.group * packed_floats(Mg, Kc, active_kernel().mr);
}

void conv2d_pack_weight(const Conv2dParams& p, const float* w, float* packed) {
  if (winograd_applies(p)) return winograd_pack_weight(p, w, packed);
  const int64_t Mg = p.M / p.group, Kc = (p.C / p.group) * p.KH * p.KW;
  const int MR = active_kernel().mr;
  const int64_t per = packed_floats(Mg, Kc, MR);
  for (int64_t g = 0; g < p.group; g++) pack_panels(w + g * Mg * Kc, Kc, 1, Mg, Kc, MR, 1.f, packed + g * per);
}

void conv2d_run(const Conv2dParams& p, const float* x, const float* packed, const float* bias, float* y, Act act,
                const float* residual) {
  if (winograd_applies(p)) return winograd_run(p, x, packed, bias, y, act, residual);
  const int64_t Mg = p.M / p.group, Cg = p.C / p.group, Kc = Cg * p.KH * p.KW;
  const int64_t P = p.OH * p.OW;
  const int64_t batch = p.N * p.group;
  const int64_t per = packed_floats(Mg, Kc, active_kernel().mr);
  std::vector<int64_t> a_off(batch), c_off(batch), bias_off(batch);
  for (int64_t b = 0; b < batch; b++) {
    const int64_t n = b / p.group, g = b % p.group;
    a_off[b] = g * per;
    c_off[b] = (n * p.M + g * Mg) * P;
    bias_off[b] = g * Mg;
  }
  PackedOperand A(packed, Kc, a_off);
  GemmCall call;
  call.M = Mg;
  call.N = P;
  call.K = Kc;
  call.batch = batch;
  call.A = &A;
  call.A_prepacked = true;
  call.C = y;
  call.c_offsets = c_off;
  call.ldc = P;
  call.ep.row_bias = bias;
  call.ep.row_bias_offsets = bias_off;
  call.ep.act = act;
  call.ep.residual = residual;
  const bool pointwise = p.KH == 1 && p.KW == 1 && p.sh == 1 && p.sw == 1 && p.ph == 0 && p.pw == 0 &&
                         p.OH == p.H && p.OW == p.W;
  if (pointwise) {
    // The patch matrix is X[n, g] itself: (p, c) at x[c * H * W + p].
    std::vector<int64_t> x_off(batch);
    for (int64_t b = 0; b < batch; b++) x_off[b] = ((b / p.group) * p.C + (b % p.group) * Cg) * p.H * p.W;
    StridedOperand B(x, 1, p.H * p.W, x_off);
    call.B = &B;
    gemm_run(call);
  } else {
    // A zero-padded copy of X (N*C*Hp*Wp floats, a ninth of a 3x3 conv's patch matrix) puts every window
    // inside it: stride-1 rows then run as direct convolution (run_direct: no patch matrix at all);
    // other small images (8x8 latents, a 16-wide panel covering two output rows) gather from it with
    // no bounds checks.
    const int64_t Hp = (p.OH - 1) * p.sh + (p.KH - 1) * p.dh + 1, Wp = (p.OW - 1) * p.sw + (p.KW - 1) * p.dw + 1;
    const bool needs_pad = p.ph != 0 || p.pw != 0 || Hp > p.H || Wp > p.W;  // negative pads crop: a copy too
    const int64_t pad_floats = p.N * p.C * Hp * Wp;
    // Direct convolution where it measured faster (2026-11-23, in one process, alternating): output rows
    // of a multiple of 8 outputs, up to 256 positions (8x8 latents at 64 channels 85 -> 67 us, at 128 265 -> 242 us; 16x16
    // at 640 and 8x8 at 1280 3-8 % faster). On larger images its unaligned tap loads lost to the gathered
    // panels (32x32 at 320 channels 5 % slower); rows of 4 (4x4 latents) needed two loads and a shuffle
    // per 8 columns and lost too (94 vs 83 us at 128 channels). A position-major variant for large
    // images (tiles of 6 adjacent positions x 16 output channels: inputs broadcast, weights as aligned
    // channel panels) measured 5-22 % faster at 64x64-256x256 one hour and up to 10 % slower the next,
    // on a busier host: it reads the weights again for every output row. Not kept.
    const bool direct = p.sw == 1 && p.OW % 8 == 0 && p.OH * p.OW <= 256 && active_kernel().fc[0] && direct_conv_enabled();
    float* xp = nullptr;
    if (needs_pad && ((direct && pad_floats <= (int64_t(1) << 25)) || (p.OW < 32 && pad_floats <= (int64_t(1) << 22)))) {
      thread_local Scratch t_pad;
      xp = t_pad.get(static_cast<size_t>(pad_floats));
      pad_image(p, x, Hp, Wp, xp);
    }
    const float* xs = xp ? xp : x;
    const int64_t hs = xp ? Hp : p.H, ws = xp ? Wp : p.W;
    if (direct && (xp || !needs_pad) && run_direct(p, xs, hs, ws, packed, bias, y, act, residual)) return;
    if (xp) {
      Conv2dParams q = p;
      q.H = Hp, q.W = Wp, q.ph = 0, q.pw = 0;
      run_patches(call, q, xp, batch, Kc);
    } else {
      run_patches(call, p, x, batch, Kc);
    }
  }
}

void depthwise2d_run(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y, Act act,
                     const float* residual) {
  const int64_t mult = p.M / p.group;
  const TapRanges hr(p.OH, p.sh, p.ph, p.dh, p.KH, p.H), wr(p.OW, p.sw, p.pw, p.dw, p.KW, p.W);
  const std::vector<int64_t>&hlo = hr.lo, &hhi = hr.hi, &wlo = wr.lo, &whi = wr.hi;
  const VecOps& vo = active_vec();  // the activation as conv2d's GEMM epilogue applies it, a row at a time
  auto plane = [&](int64_t t, int) {
    const int64_t n = t / p.M, m = t % p.M, c = m / mult;
    const float* xp = x + (n * p.C + c) * p.H * p.W;
    const float* wp = w + m * p.KH * p.KW;
    float* yp = y + (n * p.M + m) * p.OH * p.OW;
    const float b = bias ? bias[m] : 0.f;
    for (int64_t oh = 0; oh < p.OH; oh++) {
      const int64_t h0 = oh * p.sh - p.ph;
      for (int64_t ow = 0; ow < p.OW; ow++) {
        const int64_t w0 = ow * p.sw - p.pw;
        float s = b;
        for (int64_t kh = hlo[oh]; kh < hhi[oh]; kh++) {
          const float* row = xp + (h0 + kh * p.dh) * p.W + w0;
          const float* wr = wp + kh * p.KW;
          for (int64_t kw = wlo[ow]; kw < whi[ow]; kw++) s += wr[kw] * row[kw * p.dw];
        }
        yp[oh * p.OW + ow] = s;
      }
      float* row = yp + oh * p.OW;
      if (act != Act::None) vo.bias_act(row, static_cast<int>(p.OW), 0.f, nullptr, static_cast<int>(act));
      if (residual) vo.binary(row, 1, residual + (row - y), 1, row, p.OW, 0);
    }
  };
  const int64_t planes = p.N * p.M;
  const double work = static_cast<double>(planes) * p.OH * p.OW * p.KH * p.KW;
  if (work < 2e5 || planes == 1) {
    for (int64_t t = 0; t < planes; t++) plane(t, 0);
  } else {
    ThreadPool::global().parallel_for(planes, plane);
  }
}

void convtranspose2d_run(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t Cg = p.C / p.group, Mg = p.M / p.group, KK = p.KH * p.KW, HW = p.H * p.W, OHW = p.OH * p.OW;
  const int64_t rows = Mg * KK;
  thread_local Scratch t_cols;
  float* cols = t_cols.get(static_cast<size_t>(std::max<int64_t>(1, rows * HW)));
  for (int64_t n = 0; n < p.N; n++) {
    for (int64_t g = 0; g < p.group; g++) {
      float* yg = y + (n * p.M + g * Mg) * OHW;
      for (int64_t m = 0; m < Mg; m++) std::fill(yg + m * OHW, yg + (m + 1) * OHW, bias ? bias[g * Mg + m] : 0.f);
      if (Cg == 0 || HW == 0) continue;
      // cols[(m, kh, kw), pos] = sum_c W[g*Cg + c, m, kh, kw] * X[n, g*Cg + c, pos]
      StridedOperand A(w + g * Cg * rows, 1, rows, {}, 1.f, /*zero_pad=*/false);
      StridedOperand B(x + (n * p.C + g * Cg) * HW, 1, HW, {});
      GemmCall call;
      call.M = rows;
      call.N = HW;
      call.K = Cg;
      call.A = &A;
      call.B = &B;
      call.C = cols;
      call.ldc = HW;
      gemm_run(call);
      // col2im: each output plane m gathers its own rows, so planes run in parallel without races.
      auto plane = [&](int64_t m, int) {
        float* ym = yg + m * OHW;
        for (int64_t kh = 0; kh < p.KH; kh++) {
          for (int64_t kw = 0; kw < p.KW; kw++) {
            const float* cr = cols + ((m * p.KH + kh) * p.KW + kw) * HW;
            for (int64_t ih = 0; ih < p.H; ih++) {
              const int64_t oh = ih * p.sh - p.ph + kh * p.dh;
              if (oh < 0 || oh >= p.OH) continue;
              float* yr = ym + oh * p.OW;
              const float* c = cr + ih * p.W;
              const int64_t ow0 = -p.pw + kw * p.dw;
              for (int64_t iw = 0; iw < p.W; iw++) {
                const int64_t ow = ow0 + iw * p.sw;
                if (ow >= 0 && ow < p.OW) yr[ow] += c[iw];
              }
            }
          }
        }
      };
      if (static_cast<double>(rows) * HW < 1e5 || Mg == 1) {
        for (int64_t m = 0; m < Mg; m++) plane(m, 0);
      } else {
        ThreadPool::global().parallel_for(Mg, plane);
      }
    }
  }
}

}  // namespace onnxflow
