// 2-D max/avg pooling on oneDNN. tfjs's max-pool gradient gets only x, y and dy, while oneDNN's needs the
// forward's workspace (the argmax), so the backward entry re-runs the cheap forward to produce it.
#include <memory>
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
  memory x, y, dy, dx, ws;
  memory y_scratch;  // the forward's output when only its workspace is wanted (max backward)
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

std::unique_ptr<PoolEntry> build_pool(int kind, const int64_t* d) {
  auto& eng = cpu_engine();
  const bool is_max = kind == 0 || kind == 2;
  const memory::desc x_md({d[0], d[3], d[1], d[2]}, f32, tag::nhwc);
  const memory::desc y_md({d[0], d[3], d[4], d[5]}, f32, tag::nhwc);
  const memory::dims kernel{d[6], d[7]}, strides{d[8], d[9]}, pl{d[10], d[11]}, pr{d[12], d[13]};
  // tfjs averages over the in-bounds window going forward but divides the gradient by the full window size
  // (cpu, wasm and webgl alike); match it so the native backend trains exactly like the others.
  const auto algo = is_max ? dnnl::algorithm::pooling_max
                    : kind == 3 ? dnnl::algorithm::pooling_avg_include_padding
                                : dnnl::algorithm::pooling_avg_exclude_padding;
  const bool backward = kind >= 2;
  dnnl::pooling_forward::desc fd(backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
                                 algo, x_md, y_md, strides, kernel, pl, pr);
  dnnl::pooling_forward::primitive_desc fpd(fd, eng);
  auto e = std::make_unique<PoolEntry>();
  e->x = memory(x_md, eng, DNNL_MEMORY_NONE);
  e->y = memory(y_md, eng, DNNL_MEMORY_NONE);
  e->dy = memory(y_md, eng, DNNL_MEMORY_NONE);
  e->dx = memory(x_md, eng, DNNL_MEMORY_NONE);
  if (!backward || is_max) e->fwd = dnnl::pooling_forward(fpd);
  if (backward) {
    dnnl::pooling_backward::desc bd(algo, x_md, y_md, strides, kernel, pl, pr);
    dnnl::pooling_backward::primitive_desc bpd(bd, eng, fpd);
    e->bwd = dnnl::pooling_backward(bpd);
    if (is_max) {
      e->ws = memory(fpd.workspace_desc(), eng);
      e->y_scratch = memory(y_md, eng);
    }
  }
  created_primitives()++;
  return e;
}

}  // namespace

void pool2d(int kind, const int64_t* d, float* x, float* dy, float* out) {
  (void)registered;
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
    if (kind == 2) {
      e->x.set_data_handle(x);
      e->fwd.execute(s, {{DNNL_ARG_SRC, e->x}, {DNNL_ARG_DST, e->y_scratch}, {DNNL_ARG_WORKSPACE, e->ws}});
      e->bwd.execute(s, {{DNNL_ARG_DIFF_DST, e->dy}, {DNNL_ARG_DIFF_SRC, e->dx}, {DNNL_ARG_WORKSPACE, e->ws}});
    } else {
      e->bwd.execute(s, {{DNNL_ARG_DIFF_DST, e->dy}, {DNNL_ARG_DIFF_SRC, e->dx}});
    }
  }
  s.wait();
}

}  // namespace archc
