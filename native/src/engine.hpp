// The process-wide oneDNN CPU engine and stream, the primitive-cache bound shared by every op, and the OpenMP
// thread count. Primitives built for one thread count must not run under another (oneDNN splits work at
// creation time), so changing the thread count empties every cache.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace archc {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

/** Every op's cache registers a clear/trim hook here, so threads, capacity and stats apply to all of them. */
struct CacheHooks {
  void (*clear)();
  void (*set_capacity)(size_t);
  size_t (*size)();
};
void register_cache(CacheHooks hooks);
void clear_caches();
void set_cache_capacity(size_t capacity);
size_t cache_capacity();
size_t cached_primitives();
/** Primitives created since load (a test checks that a long run over many shapes keeps `cached` bounded). */
uint64_t& created_primitives();

void set_threads(int n);
int threads();

/**
 * Runs small problems on one thread: waking the other OpenMP threads costs tens of microseconds on an idle
 * machine and milliseconds on a busy one, more than a recurrent-step matmul takes. Wrap both the primitive's
 * creation and its execution (oneDNN partitions work when it creates a primitive). The choice depends only on
 * the problem size, so results stay reproducible.
 */
class SmallProblemScope {
 public:
  explicit SmallProblemScope(double flops);
  ~SmallProblemScope();
  SmallProblemScope(const SmallProblemScope&) = delete;
  SmallProblemScope& operator=(const SmallProblemScope&) = delete;

 private:
  int saved_ = 0;
};

/** A cache key from a tag and integer dimensions, e.g. "conv0:1,28,28,...". */
std::string make_key(const char* tag, const int64_t* dims, size_t n);

}  // namespace archc
