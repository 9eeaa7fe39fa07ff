// The optimizer's per-variable update in one pass: PyTorch's SGD, with or without momentum (optionally Nesterov),
// coupled L2 weight decay, and a gradient scale (global-norm clipping's factor, so the clipped gradients are never
// materialised). The tfjs path issues 6–8 tiny kernels (and scalar uploads) per variable per step, plus one full
// Multiply per variable when clipping; this is one pass. The float operations are the tfjs path's, in the same
// order (the scaled gradient g·s rounded first, as tf.mul(g, s) gives it), so results are bit-identical to it.
// Elementwise, so threading (above 2^18 floats: an LM's embedding and output layer) does not change any bit.

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ops.hpp"

namespace archc {

void sgd_update(int64_t n, float lr, float wd, float mom, bool nesterov, float gscale, const float* w, const float* g,
                const float* buf, float* w_out, float* buf_out) {
  const bool decay = wd != 0.0f, scaled = gscale != 1.0f, momentum = buf != nullptr;
#pragma omp parallel for schedule(static) num_threads(loop_threads(n))
  for (int64_t i = 0; i < n; i++) {
    const float gi = scaled ? g[i] * gscale : g[i];
    const float d = decay ? gi + w[i] * wd : gi;
    float u = d;
    if (momentum) {
      const float b = buf[i] * mom + d;
      u = nesterov ? d + b * mom : b;
      buf_out[i] = b;
    }
    w_out[i] = w[i] - u * lr;
  }
}

double sum_squares(int64_t n, const float* x) {
  // Fixed blocks per thread count, partials in double added in block order: reproducible for a thread count.
  const int nthr = loop_threads(n);
  std::vector<double> part(static_cast<size_t>(nthr), 0.0);
#pragma omp parallel num_threads(nthr)
  {
    const int t = omp_get_thread_num();
    const int64_t lo = n * t / nthr, hi = n * (t + 1) / nthr;
    double s = 0.0;
    for (int64_t i = lo; i < hi; i++) s += static_cast<double>(x[i]) * x[i];
    part[static_cast<size_t>(t)] = s;
  }
  double total = 0.0;
  for (double p : part) total += p;
  return total;
}

}  // namespace archc
