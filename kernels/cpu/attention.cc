#include "attention.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "../runtime/thread_pool.h"
#include "gemm.h"
#include "vec.h"
#include "../runtime/scratch.h"

namespace onnxflow {

namespace {

// 64 queries x 256 keys per block: the longer key block amortizes the online-softmax bookkeeping
// (row max / rescale of O per block) and gives the P V products a 256-deep K (the C tile is loaded and
// stored once per block); measured ~1.3x over 64 x 64 on the SD shape (8 x 4096 x 4096 x d40, AVX2).
constexpr int64_t BQ = 64, BK = 256;
constexpr int64_t DIRECT_MAX_SQ = 4;  // fewer queries than this: the direct (decode) path

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

thread_local Scratch t_qa, t_s, t_pa, t_o, t_row;

// Where, mask and causal limit applied to the scores s[0..nk) of query i, keys j0.. (scaled).
inline void apply_masks(const AttentionParams& p, int64_t t, int64_t i, int64_t j0, int64_t nk, float* s, const VecOps& v) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  if (p.cond) {
    const uint8_t* c = p.cond + p.co[t] + i * p.ci + j0 * p.cj;
    for (int64_t j = 0; j < nk; j++)
      if ((c[j * p.cj] != 0) != p.keep) s[j] = p.fill;
  }
  if (p.mask) {
    const float* m = p.mask + p.mo[t] + i * p.mi + j0 * p.mj;
    if (p.mj <= 1) v.binary(s, 1, m, static_cast<int>(p.mj), s, nk, 0);  // contiguous or broadcast mask row
    else for (int64_t j = 0; j < nk; j++) s[j] += m[j * p.mj];
  }
  if (p.causal) {
    const int64_t vis = std::max<int64_t>(0, std::min<int64_t>(nk, i + p.causal_offset - j0 + 1));
    for (int64_t j = vis; j < nk; j++) s[j] = neg_inf;
  }
}

// Few queries: per (entry, query) a row of Skv scores, softmax, then Y = sum_j p_j V_j.
void attention_direct(const AttentionParams& p, const float* q, const float* k, const float* v, float* y) {
  const VecOps& vo = active_vec();
  auto task = [&](int64_t t, int) {
    const int64_t e = t / p.Sq, i = t % p.Sq;
    float* s = t_row.get(static_cast<size_t>(p.Skv + p.D));
    float* qs = s + p.Skv;
    const float* qi = q + p.qo[e] + i * p.qs;
    for (int64_t d = 0; d < p.D; d++) qs[d] = qi[d] * p.scale;
    const float* kb = k + p.ko[e];
    if (p.kd == 1) {
      for (int64_t j = 0; j < p.Skv; j++) s[j] = vo.dot(qs, kb + j * p.ks, p.D);
    } else if (p.ks == 1) {  // K^T rows: s += q[d] * Kt[d, :]
      std::fill(s, s + p.Skv, 0.f);
      for (int64_t d = 0; d < p.D; d++) vo.axpy(s, kb + d * p.kd, qs[d], p.Skv);
    } else {
      for (int64_t j = 0; j < p.Skv; j++) {
        float acc = 0.f;
        for (int64_t d = 0; d < p.D; d++) acc += qs[d] * kb[j * p.ks + d * p.kd];
        s[j] = acc;
      }
    }
    apply_masks(p, e, i, 0, p.Skv, s, vo);
    float* yr = y + p.yo[e] + i * p.ys;
    std::fill(yr, yr + p.Dv, 0.f);
    const float mx = vo.row_max(s, p.Skv);
    if (mx == -std::numeric_limits<float>::infinity()) {
      if (p.masked_nan && p.Skv > 0) std::fill(yr, yr + p.Dv, std::numeric_limits<float>::quiet_NaN());  // no keys: zeros, as an empty MatMul
      return;
    }
    const float sum = vo.exp_sum(s, s, p.Skv, mx);
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    const float* vb = v + p.vo[e];
    for (int64_t j = 0; j < p.Skv; j++)
      if (s[j] != 0.f) vo.axpy(yr, vb + j * p.vs, s[j] * inv, p.Dv);
  };
  const int64_t tasks = p.BH * p.Sq;
  const double flops = 2.0 * tasks * p.Skv * (p.D + p.Dv);
  if (flops < 1e6 || tasks == 1) {
    for (int64_t t = 0; t < tasks; t++) task(t, 0);
  } else {
    ThreadPool::global().parallel_for(tasks, task);
  }
}

}  // namespace

void attention_run(const AttentionParams& p, const float* q, const float* k, const float* v, float* y) {
  if (p.BH <= 0 || p.Sq <= 0 || p.Dv <= 0) return;
  if (p.Sq < DIRECT_MAX_SQ || p.Skv == 0) {
    attention_direct(p, q, k, v, y);
    return;
  }
  const MicroKernel& uk = active_kernel();
  const VecOps& vo = active_vec();
  const int MR = uk.mr, NR = uk.nr;
  const int64_t qblocks = (p.Sq + BQ - 1) / BQ;
  const int64_t tasks = p.BH * qblocks;
  const int64_t ldS = round_up(BK, NR), ldO = round_up(p.Dv, NR);
  const float neg_inf = -std::numeric_limits<float>::infinity();

  // K and V packed once per distinct (K, V) entry: K as NR-wide panels of keys over D, V as NR-wide
  // panels of value columns over the keys.
  std::map<std::pair<int64_t, int64_t>, int64_t> slots;
  std::vector<int64_t> slot_of(p.BH), firsts;
  for (int64_t t = 0; t < p.BH; t++) {
    auto it = slots.emplace(std::make_pair(p.ko[t], p.vo[t]), static_cast<int64_t>(firsts.size()));
    if (it.second) firsts.push_back(t);
    slot_of[t] = it.first->second;
  }
  const int64_t kPer = round_up(p.Skv, NR) * p.D, vPer = round_up(p.Dv, NR) * p.Skv;
  // uninitialised (pack_panels writes every element, padding lanes included): no memset of what can be
  // tens of MB (SD: 16 entries x (4096 x 40 + 48 x 4096) floats)
  std::unique_ptr<float[]> kvp(new float[static_cast<size_t>(std::max<int64_t>(1, firsts.size() * (kPer + vPer)))]);
  auto pack_kv = [&](int64_t s, int) {
    const int64_t t = firsts[s];
    float* dst = kvp.get() + s * (kPer + vPer);
    pack_panels(k + p.ko[t], p.ks, p.kd, p.Skv, p.D, NR, 1.f, dst);
    pack_panels(v + p.vo[t], 1, p.vs, p.Dv, p.Skv, NR, 1.f, dst + kPer);
  };

  auto task = [&](int64_t t, int) {
    const int64_t qb = t % qblocks, e = t / qblocks;
    const int64_t i0 = qb * BQ, nq = std::min(BQ, p.Sq - i0);
    const float* qp = q + p.qo[e] + i0 * p.qs;
    const float* kpk = kvp.get() + slot_of[e] * (kPer + vPer);  // packed K
    const float* vpk = kpk + kPer;                                // packed V
    float* qa = t_qa.get(static_cast<size_t>(round_up(nq, MR) * p.D));
    float* S = t_s.get(static_cast<size_t>(BQ * ldS));
    float* pa = t_pa.get(static_cast<size_t>(round_up(BQ, MR) * BK));
    float* O = t_o.get(static_cast<size_t>(BQ * ldO));
    float m[BQ], l[BQ];
    for (int64_t i = 0; i < nq; i++) m[i] = neg_inf, l[i] = 0.f;
    std::fill(O, O + BQ * ldO, 0.f);
    pack_panels(qp, p.qs, 1, nq, p.D, MR, p.scale, qa);  // scale folded into Q
    const int64_t kv_end = p.causal ? std::min(p.Skv, std::max<int64_t>(0, i0 + nq + p.causal_offset)) : p.Skv;
    for (int64_t j0 = 0; j0 < kv_end; j0 += BK) {
      const int64_t nk = std::min(BK, kv_end - j0);
      // S = (scale Q) K^T for this block.
      const float* kbuf = kpk + j0 * p.D;  // j0 is a multiple of NR: panel j0 / NR
      for (int64_t jr = 0; jr < nk; jr += NR)
        for (int64_t ir = 0; ir < nq; ir += MR) {
          const int mr = static_cast<int>(std::min<int64_t>(MR, nq - ir));
          uk.fn[mr - 1](p.D, qa + (ir / MR) * p.D * MR, kbuf + (jr / NR) * p.D * NR, S + ir * ldS + jr, ldS, 0);
        }
      // Online softmax: running max m, running sum l, rescale O; P overwrites S.
      for (int64_t i = 0; i < nq; i++) {
        float* s = S + i * ldS;
        apply_masks(p, e, i0 + i, j0, nk, s, vo);
        const float mx = std::max(m[i], uk.row_max(s, nk));
        if (mx == neg_inf) {  // nothing visible yet
          for (int64_t j = 0; j < nk; j++) s[j] = 0.f;
          continue;
        }
        const float sum = uk.exp_sum(s, nk, mx);  // masked (-inf) scores give 0
        const float corr = m[i] == neg_inf ? 0.f : std::exp(m[i] - mx);
        l[i] = l[i] * corr + sum;
        m[i] = mx;
        if (corr != 1.f) vo.scale(O + i * ldO, p.Dv, corr);
      }
      // O += P V for this block (P read in place where the ISA has a row-major-A kernel).
      if (uk.fa[0]) {
        for (int64_t dr = 0; dr < p.Dv; dr += NR)
          for (int64_t ir = 0; ir < nq; ir += MR) {
            const int mr = static_cast<int>(std::min<int64_t>(MR, nq - ir));
            uk.fa[mr - 1](nk, S + ir * ldS, ldS, vpk + (dr / NR) * p.Skv * NR + j0 * NR, O + ir * ldO + dr, ldO, 1);
          }
      } else {
        pack_panels(S, ldS, 1, nq, nk, MR, 1.f, pa);
        for (int64_t dr = 0; dr < p.Dv; dr += NR)
          for (int64_t ir = 0; ir < nq; ir += MR) {
            const int mr = static_cast<int>(std::min<int64_t>(MR, nq - ir));
            uk.fn[mr - 1](nk, pa + (ir / MR) * nk * MR, vpk + (dr / NR) * p.Skv * NR + j0 * NR, O + ir * ldO + dr, ldO, 1);
          }
      }
    }
    for (int64_t i = 0; i < nq; i++) {
      float* yr = y + p.yo[e] + (i0 + i) * p.ys;
      const float inv = l[i] > 0.f ? 1.f / l[i] : 0.f;
      const float* o = O + i * ldO;
      if (m[i] == neg_inf && p.masked_nan) {
        for (int64_t d = 0; d < p.Dv; d++) yr[d] = std::numeric_limits<float>::quiet_NaN();
        continue;
      }
      for (int64_t d = 0; d < p.Dv; d++) yr[d] = o[d] * inv;
    }
  };
  const double flops = 2.0 * p.BH * p.Sq * p.Skv * (p.D + p.Dv);
  const int64_t nslots = static_cast<int64_t>(firsts.size());
  if (flops < 2e6 || tasks == 1) {
    for (int64_t s = 0; s < nslots; s++) pack_kv(s, 0);
    for (int64_t t = 0; t < tasks; t++) task(t, 0);
  } else {
    ThreadPool::global().parallel_for(nslots, pack_kv);
    ThreadPool::global().parallel_for(tasks, task);
  }
}

}  // namespace onnxflow
