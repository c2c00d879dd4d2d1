//===- Threads.h - LutKernels' parallel loops -------------------*- C++ -*-===//
//
// Internal to lib/Kernels. The kernels split a call's tokens (or, for few
// tokens, its output columns) over the OpenMP team of libgomp, the runtime
// oneDNN (LutDense) uses, so that the dense and the LUT parts of a model
// share one set of worker threads instead of two pools spinning against
// each other. libgomp is referenced weakly: lutc links it into every model
// for the host (lib/Compiler/RuntimeLibraries.cpp); where it is absent (the
// AArch64 archive, unit tests) every call runs on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_KERNELS_THREADS_H
#define LUT_LIB_KERNELS_THREADS_H

#include <stdint.h>

namespace lutk {

/// The CPUs this process may run on (its affinity mask, as `taskset` and
/// container limits set it; else the online CPUs; at least 1).
int availableCpus();

/// The thread count a kernel call may use: LUT_NUM_THREADS when it is a
/// positive integer, else availableCpus(), at most 1024 (read once per
/// model library, unless lut_model_set_num_threads sets it); always 1 when
/// libgomp is not linked in.
int threadCount();

/// The cached thread count (0: not read yet), which the exported
/// `lut_model_set_num_threads(n)` of a model library sets (Kernels.h).
int &gThreadsRef();

/// A body over the items [begin, end) of a split loop.
using RangeFn = void (*)(void *ctx, int64_t begin, int64_t end);

/// Runs fn over [0, items) on `threads` threads (at most threadCount() and
/// `items`): thread t gets the items [t*items/T, (t+1)*items/T). With one
/// thread, fn(ctx, 0, items) runs on the caller. Returns when all are done.
void parallelFor(int64_t items, int threads, RangeFn fn, void *ctx);

} // namespace lutk

#endif // LUT_LIB_KERNELS_THREADS_H
