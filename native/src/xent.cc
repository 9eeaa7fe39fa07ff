// The language model's loss head in two calls: the mean softmax cross-entropy of logits [N, K] against integer
// labels (and the count of rows whose first argmax is the label) forward, and its gradient backward, instead of
// logSoftmax, oneHot, mul, sum, mean, their gradients and a [N, K] ones tensor on one thread. The formulas are
// tfjs's: log p = x − max − log Σ exp(x − max); a label outside [0, K) is an all-zero one-hot row (loss 0,
// gradient 0). Rows run in parallel; each row is reduced sequentially and the rows are summed in a fixed order,
// so results do not depend on the thread count. exp is archc's own `exp_lanes` (below): libm's expf is a scalar call
// that kept these loops from vectorising (one [700, 10000] LM batch took ~35 ms each way on 2 threads).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ops.hpp"

namespace archc {
namespace {

// e^x for x ≤ 0 (every argument here is x − max or x − logsumexp), branch-free so loops over it vectorise: the
// Cephes expf reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial for e^r (relative error ≤ 2 ulp against
// the exact value), and 2^n built in the exponent bits. Below −87.3 it returns 0 (e^x underflows float32 there).
inline float exp_lanes(float x) {
  const float xc = x < -87.33654f ? -87.33654f : x;
  const float fx = xc * 1.44269504088896341f + 0.5f;
  int32_t n = static_cast<int32_t>(fx);
  n = static_cast<float>(n) > fx ? n - 1 : n;  // floor
  const float nf = static_cast<float>(n);
  float r = xc - nf * 0.693359375f;
  r = r - nf * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * (r * r) + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x < -87.33654f ? 0.0f : e * scale;
}

}  // namespace

void softmax_xent_forward(int64_t n, int64_t k, const float* x, const int32_t* labels, float* loss, float* correct,
                          float* lse) {
  std::vector<double> row_loss(static_cast<size_t>(n));
  std::vector<float> row_hit(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) num_threads(loop_threads(n * k))
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * k;
    // The row maximum in 8 lanes too (a max is exact, so the lane split changes nothing but the speed).
    float mx[8];
    for (int q = 0; q < 8; q++) mx[q] = xr[0];
    int64_t i = 0;
    for (; i + 8 <= k; i += 8)
      for (int q = 0; q < 8; q++) mx[q] = xr[i + q] > mx[q] ? xr[i + q] : mx[q];
    float m = mx[0];
    for (int q = 1; q < 8; q++) m = mx[q] > m ? mx[q] : m;
    for (; i < k; i++) m = xr[i] > m ? xr[i] : m;
    int64_t arg = 0;  // the first argmax
    while (arg < k - 1 && !(xr[arg] == m)) arg++;
    // Σ exp in float lanes of 8 (vectorised), the lanes then added in double: a fixed order for every row.
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= k; j += 8)
      for (int q = 0; q < 8; q++) lane[q] += exp_lanes(xr[j + q] - m);
    double s = 0;
    for (int q = 0; q < 8; q++) s += lane[q];
    for (; j < k; j++) s += exp_lanes(xr[j] - m);
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
#pragma omp parallel for schedule(static) num_threads(loop_threads(n * k))
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * k;
    float* dr = dx + r * k;
    const int32_t y = labels[r];
    if (y < 0 || y >= k) {
      for (int64_t j = 0; j < k; j++) dr[j] = 0.f;
      continue;
    }
    const float l = lse[r];
    for (int64_t j = 0; j < k; j++) dr[j] = scale * exp_lanes(xr[j] - l);
    dr[y] -= scale;
  }
}

}  // namespace archc
