//===- Threads.cpp - LutKernels' parallel loops over libgomp --------------===//
//
// See Threads.h. GOMP_parallel is libgomp's entry point for `#pragma omp
// parallel` (stable since GCC 4.9): it runs fn(data) on a team of
// num_threads threads, the caller being thread 0, and returns after all of
// them. The team's threads are libgomp's, shared with oneDNN's GEMMs.
//
//===----------------------------------------------------------------------===//
#include "Threads.h"

#include "lut-c/Kernels.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

extern "C" {
void GOMP_parallel(void (*fn)(void *), void *data, unsigned numThreads,
                   unsigned flags) __attribute__((weak));
int omp_get_thread_num(void) __attribute__((weak));
int omp_get_num_threads(void) __attribute__((weak));
}

namespace lutk {
namespace {

int gThreads = 0; // 0: not read yet; set by lut_model_set_num_threads

struct Job {
  RangeFn fn;
  void *ctx;
  int64_t items;
};

void runPart(void *p) {
  const Job &job = *static_cast<const Job *>(p);
  int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
  int64_t begin = job.items * t / nt, end = job.items * (t + 1) / nt;
  if (begin < end)
    job.fn(job.ctx, begin, end);
}

} // namespace

int &gThreadsRef() { return gThreads; }

int availableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

int threadCount() {
  int n = __atomic_load_n(&gThreads, __ATOMIC_RELAXED);
  if (n > 0)
    return n;
  n = 1;
  if (GOMP_parallel && omp_get_thread_num && omp_get_num_threads) {
    const char *env = getenv("LUT_NUM_THREADS");
    long v = env ? strtol(env, nullptr, 10) : 0;
    if (v <= 0)
      v = availableCpus();
    n = v > 1024 ? 1024 : (int)v;
  }
  __atomic_store_n(&gThreads, n, __ATOMIC_RELAXED);
  return n;
}

void parallelFor(int64_t items, int threads, RangeFn fn, void *ctx) {
  int64_t t = threads < threadCount() ? threads : threadCount();
  if (t > items)
    t = items;
  if (t <= 1) {
    if (items > 0)
      fn(ctx, 0, items);
    return;
  }
  Job job{fn, ctx, items};
  GOMP_parallel(runPart, &job, (unsigned)t, 0);
}

} // namespace lutk

extern "C" int lutk_thread_count(void) { return lutk::threadCount(); }

// Exported from every model library that links the kernels (lutc forces it
// with -u; the runtime's lutModelSetNumThreads calls it through dlsym).
extern "C" __attribute__((visibility("default"))) int32_t
lut_model_set_num_threads(int32_t n) {
  if (n < 0 || n > 1024)
    return -1;
  if (n > 0 && !(GOMP_parallel && omp_get_thread_num && omp_get_num_threads))
    n = 1;
  // 0: back to the default, read again from LUT_NUM_THREADS on next use.
  __atomic_store_n(&lutk::gThreadsRef(), n, __ATOMIC_RELAXED);
  return 0;
}

extern "C" void lutk_parallel_for(int64_t items, void (*fn)(void *, int64_t, int64_t),
                                  void *ctx) {
  if (items > 0)
    lutk::parallelFor(items, lutk::threadCount(), fn, ctx);
}
