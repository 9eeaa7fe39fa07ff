// Engine, stream, thread count and the registry of primitive caches (see engine.hpp).
#include "engine.hpp"

#include <omp.h>
#include <algorithm>

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

namespace {
// The user's setting (0: OpenMP's own). Kept apart from omp_get_max_threads(), which SmallProblemScope lowers to 1
// for a small primitive, so that threads() and loop_threads() always see the setting.
int g_threads = 0;
}  // namespace

void set_threads(int n) {
  if (n < 1) n = 1;
  if (n == threads()) return;
  clear_caches();
  g_threads = n;
  omp_set_num_threads(n);
}

int threads() { return g_threads > 0 ? g_threads : omp_get_max_threads(); }

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

int loop_threads(int64_t elements) {
  // Waking a sleeping OpenMP worker costs 15-70 us here (a C++ probe of PASSIVE wake-ups); a thread's share of a
  // loop below 256k floats (1 MiB) takes about that long, so smaller loops stay on the calling thread. Measured in
  // `npm run bench` train-step rows, alternating runs on an idle machine: against every loop on both threads,
  // ResNet-20 439/456 vs 410/411 img/s, fashion-cnn 4648/5408 vs 4349/4505 img/s, kjv-lstm even.
  constexpr int64_t kParallelElements = 262144;
  const int t = threads();
  if (t <= 1 || elements < kParallelElements) return 1;
  return static_cast<int>(std::min<int64_t>(t, elements / (kParallelElements / 2)));
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
