// Row-wise and elementwise kernels on the thread pool, built on VecOps: group norm (+ activation),
// layer norm (+ residual), softmax over rows, activations, broadcasting binary ops.
#pragma once
#include <cstdint>

namespace onnxflow {

/** Y = act(groupnorm(X [N, C, S]) * gamma[c] + beta[c]) over G groups of C / G channels. */
void group_norm_run(const float* x, const float* gamma, const float* beta, float* y, int64_t N, int64_t C, int64_t S,
                    int64_t G, float eps, int act);

/**
 * Rows of length D: s = a (+ b when b), y = (s - mean) / sqrt(var + eps) * gamma (+ beta); s written to
 * sum_out when given; mean / inv_std per row written when given.
 */
void layer_norm_run(const float* a, const float* b, const float* gamma, const float* beta, float* y, float* sum_out,
                    float* mean_out, float* inv_std_out, int64_t rows, int64_t D, float eps);

/** Softmax over rows of length D. */
void softmax_run(const float* x, float* y, int64_t rows, int64_t D, bool log);

/** y = act(x) elementwise. */
void activation_run(const float* x, float* y, int64_t n, int act);

/** GeGLU over rows of 2n: y[r, j] = x[r, j] * act(x[r, n + j]) (act: Gelu erf or tanh). */
void geglu_run(const float* x, float* y, int64_t rows, int64_t n, int act);

/**
 * y = a op b with broadcasting over up to 6 dims (dims[rank], strides in elements, 0 where
 * broadcast; the last dim's strides must be 0 or 1).
 */
void binary_run(const float* a, const int64_t* as, const float* b, const int64_t* bs, float* y, const int64_t* dims,
                int rank, int op);

/** y (dense, dims[rank]) = x read with element strides xs[rank] (a transpose / strided copy). */
void strided_copy_run(const float* x, const int64_t* xs, float* y, const int64_t* dims, int rank);

}  // namespace onnxflow
