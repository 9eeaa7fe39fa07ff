// The optimizer's per-variable update in one pass: PyTorch's SGD with momentum (optionally Nesterov) and coupled
// L2 weight decay. The tfjs path issues 6–8 tiny kernels (and scalar uploads) per variable per step; this is one.
// The float operations are the tfjs path's, in the same order, so the results are bit-identical to it. One thread:
// the largest variables are ~10^5 floats (tens of microseconds), less than waking an OpenMP team costs.
#include "ops.hpp"

namespace archc {

void sgd_update(int64_t n, float lr, float wd, float mom, bool nesterov, const float* w, const float* g,
                const float* buf, float* w_out, float* buf_out) {
  const bool decay = wd != 0.0f;
  for (int64_t i = 0; i < n; i++) {
    const float d = decay ? g[i] + w[i] * wd : g[i];
    const float b = buf[i] * mom + d;
    const float u = nesterov ? d + b * mom : b;
    buf_out[i] = b;
    w_out[i] = w[i] - u * lr;
  }
}

}  // namespace archc
