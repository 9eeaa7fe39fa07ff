// The language model's loss head in two calls: the mean softmax cross-entropy of logits [N, K] against integer
// labels (and the count of rows whose first argmax is the label) forward, and its gradient backward, instead of
// logSoftmax, oneHot, mul, sum, mean, their gradients and a [N, K] ones tensor on one thread. The formulas are
// tfjs's: log p = x − max − log Σ exp(x − max); a label outside [0, K) is an all-zero one-hot row (loss 0,
// gradient 0). Rows run in parallel; each row is reduced sequentially and the rows are summed in a fixed order,
// so results do not depend on the thread count.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops.hpp"

namespace archc {

void softmax_xent_forward(int64_t n, int64_t k, const float* x, const int32_t* labels, float* loss, float* correct,
                          float* lse) {
  std::vector<double> row_loss(static_cast<size_t>(n));
  std::vector<float> row_hit(static_cast<size_t>(n));
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * k;
    float m = xr[0];
    int64_t arg = 0;
    for (int64_t j = 1; j < k; j++) {
      if (xr[j] > m) m = xr[j], arg = j;
    }
    double s = 0;
    for (int64_t j = 0; j < k; j++) s += std::exp(xr[j] - m);
    const float l = m + static_cast<float>(std::log(s));
    lse[r] = l;
    const int32_t y = labels[r];
    const bool valid = y >= 0 && y < k;
    row_loss[r] = valid ? static_cast<double>(l) - xr[y] : 0.0;
    row_hit[r] = valid && arg == y ? 1.f : 0.f;
  }
  double total = 0, hits = 0;
  for (int64_t r = 0; r < n; r++) total += row_loss[r], hits += row_hit[r];
  *loss = static_cast<float>(total / static_cast<double>(n));
  *correct = static_cast<float>(hits);
}

void softmax_xent_backward(int64_t n, int64_t k, const float* x, const int32_t* labels, const float* lse,
                           float scale, float* dx) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * k;
    float* dr = dx + r * k;
    const int32_t y = labels[r];
    if (y < 0 || y >= k) {
      for (int64_t j = 0; j < k; j++) dr[j] = 0.f;
      continue;
    }
    const float l = lse[r];
    for (int64_t j = 0; j < k; j++) dr[j] = scale * std::exp(xr[j] - l);
    dr[y] -= scale;
  }
}

}  // namespace archc
