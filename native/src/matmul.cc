// Batched matrix multiplication on oneDNN's matmul primitive. Transposes are expressed as strides of the
// memory descriptors, so no operand is ever copied; bias and ReLU ride along as a bias input and a post-op.
#include <algorithm>
#include <memory>

#include "engine.hpp"
#include "lru.hpp"
#include "ops.hpp"

namespace archc {
namespace {

using dnnl::memory;

struct MatMulEntry {
  dnnl::primitive prim;
  memory a, b, c, bias;
  bool has_bias = false;
};

LruCache<MatMulEntry>& cache() {
  // Never destroyed: at process exit oneDNN's own globals may already be gone (see engine.cc).
  static auto* c = new LruCache<MatMulEntry>(256);
  return *c;
}

const bool registered = (register_cache({[] { cache().clear(); }, [](size_t n) { cache().set_capacity(n); },
                                         [] { return cache().size(); }}),
                         true);

std::unique_ptr<MatMulEntry> build(const int64_t* d) {
  auto& eng = cpu_engine();
  const auto f32 = memory::data_type::f32;
  const int64_t ba = d[0], bb = d[1], m = d[2], n = d[3], k = d[4];
  const bool ta = d[5] != 0, tb = d[6] != 0, has_bias = d[7] != 0, relu = d[8] != 0;
  const memory::desc a_md({ba, m, k}, f32, ta ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  const memory::desc b_md({bb, k, n}, f32, tb ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  const memory::desc c_md({std::max(ba, bb), m, n}, f32, {m * n, n, 1});
  const memory::desc bias_md({1, 1, n}, f32, {n, n, 1});
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops po;
    po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(po);
  }
  auto desc = has_bias ? dnnl::matmul::desc(a_md, b_md, bias_md, c_md) : dnnl::matmul::desc(a_md, b_md, c_md);
  dnnl::matmul::primitive_desc pd(desc, attr, eng);
  auto e = std::make_unique<MatMulEntry>();
  e->prim = dnnl::matmul(pd);
  e->a = memory(a_md, eng, DNNL_MEMORY_NONE);
  e->b = memory(b_md, eng, DNNL_MEMORY_NONE);
  e->c = memory(c_md, eng, DNNL_MEMORY_NONE);
  e->has_bias = has_bias;
  if (has_bias) e->bias = memory(bias_md, eng, DNNL_MEMORY_NONE);
  created_primitives()++;
  return e;
}

}  // namespace

void matmul(const int64_t* d, float* a, float* b, float* c, float* bias) {
  (void)registered;
  const std::string key = make_key("mm", d, kMatMulDims);
  SmallProblemScope small(2.0 * (d[0] > d[1] ? d[0] : d[1]) * d[2] * d[3] * d[4]);
  MatMulEntry* e = cache().find(key);
  if (e == nullptr) e = cache().insert(key, build(d));
  auto& s = cpu_stream();
  e->a.set_data_handle(a);
  e->b.set_data_handle(b);
  e->c.set_data_handle(c);
  if (e->has_bias) {
    e->bias.set_data_handle(bias);
    e->prim.execute(s, {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_BIAS, e->bias}, {DNNL_ARG_DST, e->c}});
  } else {
    e->prim.execute(s, {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}});
  }
  s.wait();
}

}  // namespace archc
