// The native seam: plain functions over float buffers and integer shapes. The N-API layer (addon.cc) turns JS
// arguments into these calls; every op caches its oneDNN primitive by shape (engine.hpp).
#pragma once
#include <cstdint>

namespace archc {

/**
 * Threads for a hand-written memory-bound loop over `elements` floats (engine.cc): 1 below a size where the
 * second thread saves less than waking it costs, else up to the thread setting. Depends only on the size and
 * the setting, so results stay reproducible.
 */
int loop_threads(int64_t elements);

/**
 * 2-D convolution in tfjs layouts: x NHWC, w HWIO ([kh,kw,ci,co]; depthwise [kh,kw,C,M] with g = C), y NHWC.
 * kind 0: y = conv(x, w); 1: x = dX(dy = y, w); 2: w = dW(x, dy = y).
 * d = {N, IH, IW, IC, OH, OW, OC, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G}, dilations in oneDNN's
 * convention (tfjs dilation − 1). Depthwise (G > 1) requires IC == G.
 */
constexpr int kConvDims = 18;
void conv2d(int kind, const int64_t* d, float* x, float* w, float* y);

/**
 * c[b] = op(a[b]) · op(b[b]) (+ bias[n]) (then ReLU if relu), row-major; op transposes when tA/tB.
 * d = {BA, BB, M, N, K, tA, tB, hasBias, relu}; a batch of 1 broadcasts against the other.
 */
constexpr int kMatMulDims = 9;
void matmul(const int64_t* d, float* a, float* b, float* c, float* bias);

/**
 * Training batch norm over x viewed as [rows, C]: y = (x − mean)/√(var + eps)·gamma + beta with the batch's
 * mean and biased variance, which are written to mean/var. `relu`: y = relu(that), as unary kind 1 computes it.
 */
void batch_norm_forward(int64_t rows, int64_t c, float eps, float* x, float* gamma, float* beta, float* y,
                        float* mean, float* var, bool relu);
/**
 * The full batch-norm gradient (through the batch statistics): dx, dgamma, dbeta. With `relu_y` (the output of a
 * forward with relu; null: none) the gradient of relu(BN(x)): dy is first multiplied by step(relu_y) exactly as
 * binary kind 2 does, so the result equals the unfused ReLU gradient followed by this one, bit for bit.
 */
void batch_norm_backward(int64_t rows, int64_t c, float eps, float* x, float* gamma, float* mean, float* var,
                         float* dy, float* dx, float* dgamma, float* dbeta, const float* relu_y);

/** out[j] = scale · Σ_r x[r, j] (a sum or mean over every axis but the last), deterministic per thread count. */
void column_sum(int64_t rows, int64_t c, float scale, float* x, float* out);

/** y = f(x) elementwise; kind 0: exp, 1: relu (x < 0 ? 0 : x, as tfjs: NaN and −0 pass through). */
void unary(int kind, int64_t n, const float* x, float* y);
/**
 * y = f(a, b) elementwise; kind 0: a + b, 1: a · b, 2: the ReLU gradient a · step(b) (a = dy, b = the ReLU's
 * input; step is 1 above 0, 0 at or below, NaN for NaN: tfjs's Step, Cast and Multiply in one pass).
 */
void binary(int kind, int64_t n, const float* a, const float* b, float* y);
/**
 * The mask's half of the gradient of y = x ⊙ m (m per channel, x viewed as [rows, c]): dm[j] = Σ_r dy[r, j] ·
 * x[r, j], reduced like column_sum (deterministic per thread count); x's half, dy · m, is scale_columns.
 */
void scale_columns_grad(int64_t rows, int64_t c, const float* dy, const float* x, float* dm);
/** y[r, j] = x[r, j] · m[j] over x viewed as [rows, c]. */
void scale_columns(int64_t rows, int64_t c, const float* x, const float* m, float* y);
/** out[r] = reduce_j x[r, j]; kind 0: sum, 1: max (rows must have c ≥ 1). */
void row_reduce(int kind, int64_t rows, int64_t c, const float* x, float* out);

/**
 * 2-D pooling, NHWC. kind 0: max forward (x → y); 1: avg forward; 2: max backward (x, dy → dx);
 * 3: avg backward (dy → dx). d = {N, IH, IW, C, OH, OW, KH, KW, SH, SW, PT, PL, PB, PR}. As in tfjs, the
 * average excludes padding going forward while its gradient divides by the full window.
 */
constexpr int kPoolDims = 14;
void pool2d(int kind, const int64_t* d, float* x, float* dy, float* out);

/**
 * SGD over n floats (PyTorch semantics): g' = gscale·g (when gscale ≠ 1); d = g' + wd·w; with momentum (buf and
 * buf_out non-null) buf' = mom·buf + d and u = nesterov ? d + mom·buf' : buf', else u = d; w' = w − lr·u.
 * Outputs may not alias inputs.
 */
void sgd_update(int64_t n, float lr, float wd, float mom, bool nesterov, float gscale, const float* w, const float* g,
                const float* buf, float* w_out, float* buf_out);
/** Σ x², accumulated in double; reproducible for a given thread count. */
double sum_squares(int64_t n, const float* x);

/**
 * One LSTM layer over a whole sequence (lstm.cc): xw [B, T, 4H] = x·W + b (gate blocks i, f, g, o), U [H, 4H],
 * mask [H] or null (h_t = m ⊙ o ⊙ tanh(c_t), h_0 ← m ⊙ h_0), h0/c0 [B, H] → y [B, T, H], the last h and c
 * [B, H], and the workspace (lstm_workspace_size floats) the backward reads. The backward takes dy [B, T, H]
 * and writes dxw [B, T, 4H], dU [H, 4H] and (with a mask) dmask [H]; h0 and c0 get no gradient.
 */
int64_t lstm_workspace_size(int64_t b, int64_t t, int64_t h);
void lstm_forward(int64_t b, int64_t t, int64_t h, const float* xw, const float* u, const float* mask,
                  const float* h0, const float* c0, float* y, float* h_out, float* c_out, float* ws);
void lstm_backward(int64_t b, int64_t t, int64_t h, const float* dy, const float* u, const float* mask,
                   const float* ws, float* dxw, float* du, float* dmask);

/**
 * Mean softmax cross-entropy of x [N, K] against labels [N] (xent.cc): loss = mean_r (lse_r − x[r, y_r]) (a
 * label outside [0, K) counts 0), correct = #rows whose first argmax is the label, lse [N] for the backward,
 * which writes dx = scale · (softmax(x) − onehot(y)) (scale = dLoss / N).
 */
void softmax_xent_forward(int64_t n, int64_t k, const float* x, const int32_t* labels, float* loss, float* correct,
                          float* lse);
void softmax_xent_backward(int64_t n, int64_t k, const float* x, const int32_t* labels, const float* lse,
                           float scale, float* dx);

}  // namespace archc
