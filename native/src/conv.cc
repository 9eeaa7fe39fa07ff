// Convolution forward, backward-data and backward-weights on oneDNN. Activations stay in tfjs's NHWC (no
// reorder of the big tensors); weights go through a cached reorder into whatever blocked layout the primitive
// prefers (format_tag::any), which is what makes oneDNN's JIT kernels fast, and weights are small.
#include <memory>

#include "engine.hpp"
#include "lru.hpp"
#include "ops.hpp"

namespace archc {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

struct ConvEntry {
  dnnl::primitive prim;
  memory src, wei, dst;    // user memories over tfjs buffers; handles set per call
  memory wei_internal;     // the primitive's weights layout when it differs from HWIO
  dnnl::primitive reorder; // HWIO → internal (kinds 0, 1) or internal → HWIO (kind 2)
  bool needs_reorder = false;
};

LruCache<ConvEntry>& cache() {
  // Never destroyed: at process exit oneDNN's own globals may already be gone (see engine.cc).
  static auto* c = new LruCache<ConvEntry>(256);
  return *c;
}

const bool registered = (register_cache({[] { cache().clear(); }, [](size_t n) { cache().set_capacity(n); },
                                         [] { return cache().size(); }}),
                         true);

memory::desc user_weights(const int64_t* d) {
  const int64_t ic = d[3], oc = d[6], kh = d[7], kw = d[8], g = d[17];
  (void)kh;
  if (g == 1) return memory::desc({oc, ic, kh, kw}, memory::data_type::f32, {1, oc, kw * ic * oc, ic * oc});
  // Depthwise [kh,kw,C,M]: group c owns output channels c*M..c*M+M−1, one input channel each.
  const int64_t m = oc / g;
  return memory::desc({g, m, 1, kh, kw}, memory::data_type::f32, {m, 1, oc, kw * oc, oc});
}

memory::dims any_weights_dims(const int64_t* d) {
  const int64_t ic = d[3], oc = d[6], kh = d[7], kw = d[8], g = d[17];
  if (g == 1) return {oc, ic, kh, kw};
  return {g, oc / g, ic / g, kh, kw};
}

std::unique_ptr<ConvEntry> build(int kind, const int64_t* d) {
  auto& eng = cpu_engine();
  const auto f32 = memory::data_type::f32;
  const memory::desc src_md({d[0], d[3], d[1], d[2]}, f32, tag::nhwc);
  const memory::desc dst_md({d[0], d[6], d[4], d[5]}, f32, tag::nhwc);
  const memory::desc wei_user = user_weights(d);
  const memory::desc wei_any(any_weights_dims(d), f32, tag::any);
  const memory::dims strides{d[9], d[10]}, dil{d[11], d[12]}, pl{d[13], d[14]}, pr{d[15], d[16]};
  const auto algo = dnnl::algorithm::convolution_direct;

  dnnl::convolution_forward::desc fwd_desc(dnnl::prop_kind::forward_training, algo, src_md, wei_any, dst_md, strides,
                                           dil, pl, pr);
  dnnl::convolution_forward::primitive_desc fwd_pd(fwd_desc, eng);
  auto e = std::make_unique<ConvEntry>();
  memory::desc wei_prim;
  if (kind == 0) {
    e->prim = dnnl::convolution_forward(fwd_pd);
    wei_prim = fwd_pd.weights_desc();
  } else if (kind == 1) {
    dnnl::convolution_backward_data::desc bd(algo, src_md, wei_any, dst_md, strides, dil, pl, pr);
    dnnl::convolution_backward_data::primitive_desc pd(bd, eng, fwd_pd);
    e->prim = dnnl::convolution_backward_data(pd);
    wei_prim = pd.weights_desc();
  } else {
    dnnl::convolution_backward_weights::desc bw(algo, src_md, wei_any, dst_md, strides, dil, pl, pr);
    dnnl::convolution_backward_weights::primitive_desc pd(bw, eng, fwd_pd);
    e->prim = dnnl::convolution_backward_weights(pd);
    wei_prim = pd.diff_weights_desc();
  }
  e->src = memory(src_md, eng, DNNL_MEMORY_NONE);
  e->dst = memory(dst_md, eng, DNNL_MEMORY_NONE);
  e->wei = memory(wei_user, eng, DNNL_MEMORY_NONE);
  if (wei_prim != wei_user) {
    e->needs_reorder = true;
    e->wei_internal = memory(wei_prim, eng);
    e->reorder = kind == 2 ? dnnl::primitive(dnnl::reorder(e->wei_internal, e->wei))
                           : dnnl::primitive(dnnl::reorder(e->wei, e->wei_internal));
  }
  created_primitives()++;
  return e;
}

}  // namespace

void conv2d(int kind, const int64_t* d, float* x, float* w, float* y) {
  (void)registered;
  const std::string key = make_key(kind == 0 ? "conv0" : kind == 1 ? "conv1" : "conv2", d, kConvDims);
  SmallProblemScope small(2.0 * d[0] * d[4] * d[5] * d[6] * d[7] * d[8] * (d[3] / d[17]));
  ConvEntry* e = cache().find(key);
  if (e == nullptr) e = cache().insert(key, build(kind, d));
  auto& s = cpu_stream();
  e->src.set_data_handle(x);
  e->wei.set_data_handle(w);
  e->dst.set_data_handle(y);
  const memory& wei = e->needs_reorder ? e->wei_internal : e->wei;
  if (kind == 0) {
    if (e->needs_reorder) e->reorder.execute(s, {{DNNL_ARG_FROM, e->wei}, {DNNL_ARG_TO, e->wei_internal}});
    e->prim.execute(s, {{DNNL_ARG_SRC, e->src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, e->dst}});
  } else if (kind == 1) {
    if (e->needs_reorder) e->reorder.execute(s, {{DNNL_ARG_FROM, e->wei}, {DNNL_ARG_TO, e->wei_internal}});
    e->prim.execute(s, {{DNNL_ARG_DIFF_DST, e->dst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, e->src}});
  } else {
    e->prim.execute(s, {{DNNL_ARG_SRC, e->src}, {DNNL_ARG_DIFF_DST, e->dst}, {DNNL_ARG_DIFF_WEIGHTS, wei}});
    if (e->needs_reorder) e->reorder.execute(s, {{DNNL_ARG_FROM, e->wei_internal}, {DNNL_ARG_TO, e->wei}});
  }
  s.wait();
}

}  // namespace archc
