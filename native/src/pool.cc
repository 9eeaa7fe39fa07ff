// 2-D max/avg pooling: forwards and the average's gradient on oneDNN, the max-pool gradient by hand. tfjs's
// max-pool gradient gets only x, y and dy, while oneDNN's needs the forward's workspace (the argmax), so on oneDNN
// it re-ran the forward first: 1.5 + 2.1 ms per [64,28,28,16] 2×2 window (jit:avx512_core, 16 channels), against
// 0.96 ms (2 threads) for one pass that finds each window's argmax and writes dx. Ties go to the first maximum in window order
// (row-major), as tfjs's reference kernels choose.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "engine.hpp"
#include "lru.hpp"
#include "ops.hpp"

namespace archc {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
const auto f32 = memory::data_type::f32;

struct PoolEntry {
  dnnl::primitive fwd, bwd;
  memory x, y, dy, dx;
};

LruCache<PoolEntry>& pool_cache() {
  // Never destroyed: at process exit oneDNN's own globals may already be gone (see engine.cc).
  static auto* c = new LruCache<PoolEntry>(256);
  return *c;
}
const bool registered =
    (register_cache({[] { pool_cache().clear(); }, [](size_t n) { pool_cache().set_capacity(n); },
                     [] { return pool_cache().size(); }}),
     true);

/** kind 0: max forward, 1: avg forward, 3: avg backward (max backward is `max_pool_backward`). */
std::unique_ptr<PoolEntry> build_pool(int kind, const int64_t* d) {
  auto& eng = cpu_engine();
  const bool is_max = kind == 0;
  const memory::desc x_md({d[0], d[3], d[1], d[2]}, f32, tag::nhwc);
  const memory::desc y_md({d[0], d[3], d[4], d[5]}, f32, tag::nhwc);
  const memory::dims kernel{d[6], d[7]}, strides{d[8], d[9]}, pl{d[10], d[11]}, pr{d[12], d[13]};
  // tfjs averages over the in-bounds window going forward but divides the gradient by the full window size
  // (cpu, wasm and webgl alike); match it so the native backend trains exactly like the others.
  const auto algo = is_max ? dnnl::algorithm::pooling_max
                    : kind == 3 ? dnnl::algorithm::pooling_avg_include_padding
                                : dnnl::algorithm::pooling_avg_exclude_padding;
  const bool backward = kind == 3;
  dnnl::pooling_forward::desc fd(backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
                                 algo, x_md, y_md, strides, kernel, pl, pr);
  dnnl::pooling_forward::primitive_desc fpd(fd, eng);
  auto e = std::make_unique<PoolEntry>();
  e->x = memory(x_md, eng, DNNL_MEMORY_NONE);
  e->y = memory(y_md, eng, DNNL_MEMORY_NONE);
  e->dy = memory(y_md, eng, DNNL_MEMORY_NONE);
  e->dx = memory(x_md, eng, DNNL_MEMORY_NONE);
  if (!backward) e->fwd = dnnl::pooling_forward(fpd);
  if (backward) {
    dnnl::pooling_backward::desc bd(algo, x_md, y_md, strides, kernel, pl, pr);
    dnnl::pooling_backward::primitive_desc bpd(bd, eng, fpd);
    e->bwd = dnnl::pooling_backward(bpd);
  }
  created_primitives()++;
  return e;
}

/** Channels per block: argmax state that stays in registers, so the select loops vectorise. */
constexpr int64_t kBlock = 16;
typedef float V4f __attribute__((vector_size(16)));
typedef int32_t V4i __attribute__((vector_size(16)));

/** dx of max pooling, NHWC: per window and channel, dy goes to the first maximum (none when no x > −inf). */
void max_pool_backward(const int64_t* d, const float* x, const float* dy, float* dx) {
  const int64_t N = d[0], IH = d[1], IW = d[2], C = d[3], OH = d[4], OW = d[5], KH = d[6], KW = d[7];
  const int64_t SH = d[8], SW = d[9], PT = d[10], PL = d[11];
  if (IH * IW * C > std::numeric_limits<int32_t>::max()) throw std::invalid_argument("pool2d: one image exceeds 2^31 elements");
  // One image per iteration: each writes only its own dx slice, in a fixed order, so the result does not depend
  // on the thread count (overlapping windows add into dx in output order).
#pragma omp parallel for schedule(static) num_threads(loop_threads(N * IH * IW * C))
  for (int64_t n = 0; n < N; n++) {
    const float* xn = x + n * IH * IW * C;
    const float* dyn = dy + n * OH * OW * C;
    float* dxn = dx + n * IH * IW * C;
    std::fill(dxn, dxn + IH * IW * C, 0.0f);
    for (int64_t oh = 0; oh < OH; oh++) {
      const int64_t h0 = std::max<int64_t>(0, oh * SH - PT), h1 = std::min(IH, oh * SH - PT + KH);
      for (int64_t ow = 0; ow < OW; ow++) {
        const int64_t w0 = std::max<int64_t>(0, ow * SW - PL), w1 = std::min(IW, ow * SW - PL + KW);
        const float* g = dyn + (oh * OW + ow) * C;
        for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
          const int64_t cw = std::min(kBlock, C - c0);
          // Four 4-lane vectors of running maxima and their offsets (GCC/Clang vector extensions: portable,
          // and branch-free; with random data an `if` per element mispredicts half the time).
          V4f best[kBlock / 4];
          V4i pos[kBlock / 4];
          for (int64_t q = 0; q < kBlock / 4; q++) {
            best[q] = V4f{} - std::numeric_limits<float>::infinity();
            pos[q] = V4i{} - 1;
          }
          for (int64_t h = h0; h < h1; h++) {
            for (int64_t w = w0; w < w1; w++) {
              const int32_t at = static_cast<int32_t>((h * IW + w) * C + c0);
              const float* xp = xn + at;
              for (int64_t q = 0; q < kBlock / 4; q++) {
                V4f v;
                if (4 * q + 4 <= cw) {
                  std::memcpy(&v, xp + 4 * q, sizeof v);
                } else {
                  v = V4f{} - std::numeric_limits<float>::infinity();  // lanes past C never win
                  for (int64_t l = 0; 4 * q + l < cw; l++) v[l] = xp[4 * q + l];
                }
                // Strict >: the first maximum in window order keeps the gradient, as in tfjs.
                const V4i gt = v > best[q];
                best[q] = gt ? v : best[q];
                pos[q] = gt ? (V4i{0, 1, 2, 3} + (at + static_cast<int32_t>(4 * q))) : pos[q];
              }
            }
          }
          for (int64_t j = 0; j < cw; j++) {
            const int32_t at = pos[j / 4][j % 4];
            if (at >= 0) dxn[at] += g[c0 + j];
          }
        }
      }
    }
  }
}

}  // namespace

void pool2d(int kind, const int64_t* d, float* x, float* dy, float* out) {
  (void)registered;
  if (kind == 2) {
    max_pool_backward(d, x, dy, out);
    return;
  }
  const std::string key = make_key("pool", d, kPoolDims) + std::to_string(kind);
  SmallProblemScope small(4.0 * d[0] * d[4] * d[5] * d[3] * d[6] * d[7]);
  PoolEntry* e = pool_cache().find(key);
  if (e == nullptr) e = pool_cache().insert(key, build_pool(kind, d));
  auto& s = cpu_stream();
  if (kind < 2) {
    e->x.set_data_handle(x);
    e->y.set_data_handle(out);
    e->fwd.execute(s, {{DNNL_ARG_SRC, e->x}, {DNNL_ARG_DST, e->y}});
  } else {
    e->dy.set_data_handle(dy);
    e->dx.set_data_handle(out);
    e->bwd.execute(s, {{DNNL_ARG_DIFF_DST, e->dy}, {DNNL_ARG_DIFF_SRC, e->dx}});
  }
  s.wait();
}

}  // namespace archc
