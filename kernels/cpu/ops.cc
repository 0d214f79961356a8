#include "ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "../runtime/thread_pool.h"
#include "vec.h"

namespace onnxflow {

namespace {

// Run fn over [0, n) in chunks of at least `grain` (single-threaded below ~2 chunks).
template <class F>
void chunked(int64_t n, int64_t grain, F&& fn) {
  ThreadPool& pool = ThreadPool::global();
  const int64_t T = pool.size();
  int64_t chunks = std::min<int64_t>(std::max<int64_t>(1, n / std::max<int64_t>(1, grain)), 4 * T);
  if (chunks <= 1 || T == 1) {
    fn(0, n);
    return;
  }
  const int64_t per = (n + chunks - 1) / chunks;
  chunks = (n + per - 1) / per;
  pool.parallel_for(chunks, [&](int64_t c, int) { fn(c * per, std::min(n, (c + 1) * per)); });
}

}  // namespace

void group_norm_run(const float* x, const float* gamma, const float* beta, float* y, int64_t N, int64_t C, int64_t S,
                    int64_t G, float eps, int act) {
  const VecOps& v = active_vec();
  const int64_t cpg = C / G, len = cpg * S;
  auto task = [&](int64_t p, int) {
    const float* xo = x + p * len;
    float* yo = y + p * len;
    const float mean = len ? static_cast<float>(v.sum(xo, len) / len) : 0.f;
    const double var = len ? v.sqdev(xo, len, mean) / len : 0.0;
    const float rstd = static_cast<float>(1.0 / std::sqrt(var + eps));
    const int64_t g0 = (p % G) * cpg;
    for (int64_t c = 0; c < cpg; c++) {
      const float a = rstd * gamma[g0 + c], b = beta[g0 + c] - mean * rstd * gamma[g0 + c];
      v.affine_act(xo + c * S, yo + c * S, S, a, b, act);
    }
  };
  const int64_t tasks = N * G;
  if (static_cast<double>(tasks) * len < 32768) {
    for (int64_t p = 0; p < tasks; p++) task(p, 0);
  } else {
    ThreadPool::global().parallel_for(tasks, task);
  }
}

void layer_norm_run(const float* a, const float* b, const float* gamma, const float* beta, float* y, float* sum_out,
                    float* mean_out, float* inv_std_out, int64_t rows, int64_t D, float eps) {
  const VecOps& v = active_vec();
  chunked(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, D)), [&](int64_t r0, int64_t r1) {
    std::vector<float> tmp(b && !sum_out ? D : 0);
    for (int64_t r = r0; r < r1; r++) {
      const float* s = a + r * D;
      if (b) {
        float* dst = sum_out ? sum_out + r * D : tmp.data();
        v.binary(s, 1, b + r * D, 1, dst, D, 0);
        s = dst;
      }
      const float mean = D ? static_cast<float>(v.sum(s, D) / D) : 0.f;
      const double var = D ? v.sqdev(s, D, mean) / D : 0.0;
      const float rstd = static_cast<float>(1.0 / std::sqrt(var + eps));
      v.norm_row(s, y + r * D, D, mean, rstd, gamma, beta);
      if (mean_out) mean_out[r] = mean;
      if (inv_std_out) inv_std_out[r] = rstd;
    }
  });
}

void softmax_run(const float* x, float* y, int64_t rows, int64_t D, bool log) {
  const VecOps& v = active_vec();
  chunked(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, D)), [&](int64_t r0, int64_t r1) {
    std::vector<float> tmp(log ? D : 0);  // log-softmax: the exponentials (y may be x), one buffer per chunk
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * D;
      float* yr = y + r * D;
      const float mx = v.row_max(xr, D);
      if (log) {
        const float s = v.exp_sum(xr, tmp.data(), D, mx);
        const float sub = mx + std::log(s);
        v.binary(xr, 1, &sub, 0, yr, D, 1);
      } else {
        const float s = v.exp_sum(xr, yr, D, mx);
        v.scale(yr, D, 1.f / s);
      }
    }
  });
}

void activation_run(const float* x, float* y, int64_t n, int act) {
  const VecOps& v = active_vec();
  chunked(n, 16384, [&](int64_t i0, int64_t i1) { v.affine_act(x + i0, y + i0, i1 - i0, 1.f, 0.f, act); });
}

void geglu_run(const float* x, float* y, int64_t rows, int64_t n, int act) {
  const VecOps& v = active_vec();
  chunked(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, n)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * 2 * n;
      float* yr = y + r * n;
      v.affine_act(xr + n, yr, n, 1.f, 0.f, act);  // gelu(gate)
      v.binary(xr, 1, yr, 1, yr, n, 2);            // hidden * gelu(gate)
    }
  });
}

void binary_run(const float* a, const int64_t* as, const float* b, const int64_t* bs, float* y, const int64_t* dims,
                int rank, int op) {
  const VecOps& v = active_vec();
  const int64_t inner = rank ? dims[rank - 1] : 1;
  int64_t outer = 1;
  for (int i = 0; i + 1 < rank; i++) outer *= dims[i];
  const int ai = rank ? static_cast<int>(as[rank - 1]) : 0, bi = rank ? static_cast<int>(bs[rank - 1]) : 0;
  chunked(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; o++) {
      int64_t rem = o, ao = 0, bo = 0;
      for (int d = rank - 2; d >= 0; d--) {
        const int64_t idx = rem % dims[d];
        rem /= dims[d];
        ao += idx * as[d];
        bo += idx * bs[d];
      }
      v.binary(a + ao, ai, b + bo, bi, y + o * inner, inner, op);
    }
  });
}

// Element offset (strides xs) of the o-th index, row-major, over the first `lead` dims.
static int64_t strided_offset(int64_t o, const int64_t* dims, const int64_t* xs, int lead) {
  int64_t off = 0;
  for (int d = lead - 1; d >= 0; d--) {
    off += (o % dims[d]) * xs[d];
    o /= dims[d];
  }
  return off;
}

void strided_copy_run(const float* x, const int64_t* xs, float* y, const int64_t* dims, int rank) {
  if (rank >= 2 && xs[rank - 2] == 1 && xs[rank - 1] != 1 && dims[rank - 2] >= 8 && dims[rank - 1] >= 8) {
    // The two innermost axes swapped (K^T): 16 x 16 tiles, so reads and writes both stay in cache lines.
    const int64_t R = dims[rank - 2], C = dims[rank - 1], cs = xs[rank - 1];
    int64_t outer = 1;
    for (int i = 0; i + 2 < rank; i++) outer *= dims[i];
    const int64_t rt = (R + 15) / 16;
    chunked(outer * rt, std::max<int64_t>(1, 16384 / (16 * C)), [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; t++) {
        const int64_t o = t / rt, r0 = (t % rt) * 16, r1 = std::min(R, r0 + 16);
        const float* src = x + strided_offset(o, dims, xs, rank - 2);
        float* dst = y + o * R * C;
        for (int64_t c0 = 0; c0 < C; c0 += 16) {
          const int64_t c1 = std::min(C, c0 + 16);
          for (int64_t r = r0; r < r1; r++)
            for (int64_t c = c0; c < c1; c++) dst[r * C + c] = src[c * cs + r];
        }
      }
    });
    return;
  }
  const int64_t inner = rank ? dims[rank - 1] : 1, is = rank ? xs[rank - 1] : 1;
  int64_t outer = 1;
  for (int i = 0; i + 1 < rank; i++) outer *= dims[i];
  chunked(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; o++) {
      const float* src = x + strided_offset(o, dims, xs, rank - 1);
      float* dst = y + o * inner;
      if (is == 1) std::memcpy(dst, src, inner * sizeof(float));
      else for (int64_t j = 0; j < inner; j++) dst[j] = src[j * is];
    }
  });
}

}  // namespace onnxflow
