// Big elementwise and per-row ops the LSTM LM's full-vocabulary softmax spends its time in: exp over [B·T, V]
// and the sum/max over the last axis. tfjs-wasm runs them on one thread; here OpenMP splits the rows. Each row is
// reduced sequentially by one thread, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops.hpp"

namespace archc {

void unary(int kind, int64_t n, const float* x, float* y) {
  if (kind == 0) {
#pragma omp parallel for schedule(static) num_threads(loop_threads(n))
    for (int64_t i = 0; i < n; i++) y[i] = std::exp(x[i]);
    return;
  }
  // relu: memory-bound; loop_threads keeps small inputs on the calling thread.
#pragma omp parallel for schedule(static) num_threads(loop_threads(n))
  for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

// Memory-bound elementwise maps over the activations of a training step (residual adds and their gradient sums,
// ReLU gradients, same-shape products): one float32 result per element, so the bits do not depend on the order
// or the thread count. Threaded above 2^18 elements, as scale_columns.
void binary(int kind, int64_t n, const float* a, const float* b, float* y) {
  switch (kind) {
    case 0:
#pragma omp parallel for schedule(static) num_threads(loop_threads(n))
      for (int64_t i = 0; i < n; i++) y[i] = a[i] + b[i];
      break;
    case 1:
#pragma omp parallel for schedule(static) num_threads(loop_threads(n))
      for (int64_t i = 0; i < n; i++) y[i] = a[i] * b[i];
      break;
    default:
      // a · step(b) exactly as tfjs computes it (Step, Cast, Multiply): a · 1, a · 0 (so −0 and NaN for a = ±inf
      // stay what they were) or a · NaN.
#pragma omp parallel for schedule(static) num_threads(loop_threads(n))
      for (int64_t i = 0; i < n; i++) {
        const float s = b[i] > 0.0f ? 1.0f : (b[i] == b[i] ? 0.0f : b[i]);
        y[i] = a[i] * s;
      }
  }
}

void row_reduce(int kind, int64_t rows, int64_t c, const float* x, float* out) {
#pragma omp parallel for schedule(static) num_threads(loop_threads(rows * c))
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    if (kind == 0) {
      double s = 0;
      for (int64_t j = 0; j < c; j++) s += xr[j];
      out[r] = static_cast<float>(s);
    } else {
      float m = xr[0];
      for (int64_t j = 1; j < c; j++) m = std::max(m, xr[j]);
      out[r] = m;
    }
  }
}

// y[r, j] = x[r, j] · m[j]: a per-channel scale (masks, BN-style broadcasts), which tfjs-wasm runs through its
// generic broadcasting loop at ~1 ms per [64,28,28,10]. One product per element, so the bits match any order.
// Big tensors split their rows over the OpenMP team: on an idle machine two threads halve these memory-bound
// loops (0.51 → 0.26 ms per [64,32,32,16] relu); below 2^18 elements one thread (waking the team costs more).
void scale_columns(int64_t rows, int64_t c, const float* x, const float* m, float* y) {
  // Rows are short (10–64 channels): scale k rows at a time against m repeated k times, so the inner loop runs
  // over ≥ 256 contiguous floats and vectorises.
  const int64_t k = std::max<int64_t>(1, 256 / c);
  std::vector<float> tile(static_cast<size_t>(k * c));
  for (int64_t r = 0; r < k; r++) std::copy(m, m + c, tile.begin() + r * c);
  const float* t = tile.data();
  const int64_t blocks = rows / k;
#pragma omp parallel for schedule(static) num_threads(loop_threads(rows * c))
  for (int64_t b = 0; b < blocks; b++) {
    const float* xr = x + b * k * c;
    float* yr = y + b * k * c;
    for (int64_t j = 0; j < k * c; j++) yr[j] = xr[j] * t[j];
  }
  for (int64_t r = blocks * k; r < rows; r++) {
    for (int64_t j = 0; j < c; j++) y[r * c + j] = x[r * c + j] * m[j];
  }
}

}  // namespace archc
