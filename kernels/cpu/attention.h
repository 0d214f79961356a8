// Fused scaled dot-product attention: Y = softmax(scale * Q K^T [where cond] [+ mask] [causal]) V per
// (batch, head) entry, blockwise with an online softmax (running max and sum per query row), so no
// Sq x Skv score matrix is ever stored: each task owns one (entry, 64-query block) and walks
// 64-key blocks, with both products on the GEMM microkernel (K and V packed once per distinct
// entry: grouped-query heads and broadcast K/V share packs). Few queries (decode against a KV
// cache) take a direct path: one score row per query, dot products / axpy, no packing.
#pragma once
#include <cstdint>

namespace onnxflow {

struct AttentionParams {
  int64_t BH = 0;  // (batch, head) entries
  int64_t Sq = 0, Skv = 0, D = 0, Dv = 0;
  float scale = 1.f;
  bool causal = false;        // key j visible to query i iff j <= i + causal_offset
  int64_t causal_offset = 0;
  // Per-entry offsets (BH each). Q (i, d) at q[qo + i * qs + d]; K (j, d) at k[ko + j * ks + d * kd];
  // V (j, e) at v[vo + j * vs + e]; Y (i, e) at y[yo + i * ys + e].
  const int64_t *qo = nullptr, *ko = nullptr, *vo = nullptr, *yo = nullptr;
  int64_t qs = 0, ks = 0, kd = 1, vs = 0, ys = 0;
  // Additive mask (i, j) at mask[mo + i * mi + j * mj] (strides 0 where broadcast).
  const float* mask = nullptr;
  const int64_t* mo = nullptr;
  int64_t mi = 0, mj = 0;
  // Where: score = (cond[co + i * ci + j * cj] != 0) == keep ? score : fill (before the mask).
  const uint8_t* cond = nullptr;
  const int64_t* co = nullptr;
  int64_t ci = 0, cj = 0;
  float fill = 0.f;
  bool keep = true;
  // A query row whose scores are all -inf: NaN (Softmax's 0 / 0, an unfused graph) when set, else
  // zeros (Attention's rule).
  bool masked_nan = false;
};

void attention_run(const AttentionParams& p, const float* q, const float* k, const float* v, float* y);

}  // namespace onnxflow
