// Engine, stream, thread count and the registry of primitive caches (see engine.hpp).
#include "engine.hpp"

#include <omp.h>

namespace archc {

namespace {
std::vector<CacheHooks>& hooks() {
  static std::vector<CacheHooks> h;
  return h;
}
size_t g_capacity = 256;
}  // namespace

// The engine, stream and primitive caches are deliberately leaked: destroying primitives from static
// destructors at process exit can run after oneDNN's (and libgomp's) own globals are torn down, and crash the
// exiting process. The OS reclaims everything at exit; during a run the caches are bounded and freed by eviction.
dnnl::engine& cpu_engine() {
  static auto* eng = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *eng;
}

dnnl::stream& cpu_stream() {
  static auto* s = new dnnl::stream(cpu_engine());
  return *s;
}

void register_cache(CacheHooks h) {
  h.set_capacity(g_capacity);
  hooks().push_back(h);
}

void clear_caches() {
  for (auto& h : hooks()) h.clear();
}

void set_cache_capacity(size_t capacity) {
  g_capacity = capacity < 1 ? 1 : capacity;
  for (auto& h : hooks()) h.set_capacity(g_capacity);
}

size_t cache_capacity() { return g_capacity; }

size_t cached_primitives() {
  size_t n = 0;
  for (auto& h : hooks()) n += h.size();
  return n;
}

uint64_t& created_primitives() {
  static uint64_t n = 0;
  return n;
}

void set_threads(int n) {
  if (n < 1) n = 1;
  if (n == omp_get_max_threads()) return;
  clear_caches();
  omp_set_num_threads(n);
}

int threads() { return omp_get_max_threads(); }

SmallProblemScope::SmallProblemScope(double flops) {
  constexpr double kSingleThreadFlops = 8e6;
  if (flops < kSingleThreadFlops && omp_get_max_threads() > 1) {
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
  }
}

SmallProblemScope::~SmallProblemScope() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

std::string make_key(const char* tag, const int64_t* dims, size_t n) {
  std::string key(tag);
  key.push_back(':');
  for (size_t i = 0; i < n; i++) {
    key += std::to_string(dims[i]);
    key.push_back(',');
  }
  return key;
}

}  // namespace archc
