// Big elementwise and per-row ops the LSTM LM's full-vocabulary softmax spends its time in: exp over [B·T, V]
// and the sum/max over the last axis. tfjs-wasm runs them on one thread; here OpenMP splits the rows. Each row is
// reduced sequentially by one thread, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops.hpp"

namespace archc {

void unary(int kind, int64_t n, const float* x, float* y) {
  (void)kind;  // 0: exp (the only one so far)
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) y[i] = std::exp(x[i]);
}

void row_reduce(int kind, int64_t rows, int64_t c, const float* x, float* out) {
#pragma omp parallel for schedule(static)
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
// One thread: it is memory-bound, and waking OpenMP's team cost more than the loop on a loaded 2-core machine.
void scale_columns(int64_t rows, int64_t c, const float* x, const float* m, float* y) {
  // Rows are short (10–64 channels): scale k rows at a time against m repeated k times, so the inner loop runs
  // over ≥ 256 contiguous floats and vectorises.
  const int64_t k = std::max<int64_t>(1, 256 / c);
  std::vector<float> tile(static_cast<size_t>(k * c));
  for (int64_t r = 0; r < k; r++) std::copy(m, m + c, tile.begin() + r * c);
  const float* t = tile.data();
  int64_t r = 0;
  for (; r + k <= rows; r += k) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    for (int64_t j = 0; j < k * c; j++) yr[j] = xr[j] * t[j];
  }
  for (; r < rows; r++) {
    for (int64_t j = 0; j < c; j++) y[r * c + j] = x[r * c + j] * m[j];
  }
}

}  // namespace archc
