//===- Roofline.cpp - measured ceilings for lut-kernels-bench -------------===//
#include "Roofline.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lutk_bench {
namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) uint64_t readPassAvx512(const void *p, size_t bytes) {
  const __m512i *v = static_cast<const __m512i *>(p);
  __m512i a[8];
  for (int i = 0; i < 8; ++i)
    a[i] = _mm512_setzero_si512();
  for (size_t i = 0; i < bytes / 64; i += 8)
    for (int j = 0; j < 8; ++j)
      a[j] = _mm512_xor_si512(a[j], _mm512_load_si512(v + i + j));
  for (int j = 1; j < 8; ++j)
    a[0] = _mm512_xor_si512(a[0], a[j]);
  return (uint64_t)_mm512_reduce_add_epi64(a[0]);
}

// Read through volatiles so that the compiler cannot fold the peak loops.
volatile float kMul = 0.999f, kAdd = 1e-3f;
volatile int32_t kBf16Pair = 0x3f7f3f7f; // two bf16 0.99609375
volatile int64_t kIters = 1 << 16;

__attribute__((target("avx512f,fma"))) double peakFma(int64_t iters) {
  __m512 acc[12], m = _mm512_set1_ps(kMul), c = _mm512_set1_ps(kAdd);
  for (int j = 0; j < 12; ++j)
    acc[j] = _mm512_set1_ps((float)j);
  for (int64_t i = 0; i < iters; ++i)
    for (int j = 0; j < 12; ++j)
      acc[j] = _mm512_fmadd_ps(acc[j], m, c);
  for (int j = 1; j < 12; ++j)
    acc[0] = _mm512_add_ps(acc[0], acc[j]);
  return _mm512_reduce_add_ps(acc[0]);
}

__attribute__((target("avx512f,avx512bf16"))) double peakBf16(int64_t iters) {
  __m512 acc[12];
  __m512bh a = (__m512bh)_mm512_set1_epi32(kBf16Pair), b = a;
  for (int j = 0; j < 12; ++j)
    acc[j] = _mm512_set1_ps((float)j);
  for (int64_t i = 0; i < iters; ++i)
    for (int j = 0; j < 12; ++j)
      acc[j] = _mm512_dpbf16_ps(acc[j], a, b);
  for (int j = 1; j < 12; ++j)
    acc[0] = _mm512_add_ps(acc[0], acc[j]);
  return _mm512_reduce_add_ps(acc[0]);
}
#endif

uint64_t readPassScalar(const void *p, size_t bytes) {
  const uint64_t *v = static_cast<const uint64_t *>(p);
  uint64_t a = 0, b = 0;
  for (size_t i = 0; i < bytes / 8; i += 2) {
    a ^= v[i];
    b ^= v[i + 1];
  }
  return a ^ b;
}

/// Best-of-5 rate of f() (which does `work` units per call).
template <class F> double bestRate(F f, double work) {
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    int64_t calls = 0;
    double t0 = now(), t;
    do {
      f();
      ++calls;
      t = now() - t0;
    } while (t < 0.04 || calls < 3);
    best = std::max(best, calls * work / t);
  }
  return best;
}

volatile uint64_t sink;

} // namespace

uint64_t readPass(const void *p, size_t bytes) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f"))
    return readPassAvx512(p, bytes);
#endif
  return readPassScalar(p, bytes);
}

double measureReadGBs(size_t bytes) {
  void *buf = std::aligned_alloc(64, bytes);
  std::memset(buf, 1, bytes);
  double rate = bestRate([&] { sink = sink + readPass(buf, bytes); }, (double)bytes);
  std::free(buf);
  return rate / 1e9;
}

double measurePeakFmaGflops() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    const int64_t iters = kIters;
    return bestRate([&] { sink = sink + (uint64_t)peakFma(iters); }, iters * 12.0 * 32) / 1e9;
  }
#endif
  return 0;
}

double measurePeakBf16Gflops() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512bf16")) {
    const int64_t iters = kIters;
    return bestRate([&] { sink = sink + (uint64_t)peakBf16(iters); }, iters * 12.0 * 64) / 1e9;
  }
#endif
  return 0;
}

const Roofline &roofline() {
  static const Roofline r = {
      measureReadGBs(16 << 10), measureReadGBs(512 << 10), measureReadGBs(8 << 20),
      measureReadGBs(512 << 20), measurePeakFmaGflops(), measurePeakBf16Gflops()};
  return r;
}

const char *levelOf(double bytes) {
  // Working sets up to 3/4 of L1 and L2 and half of the (shared, victim) L3
  // count as resident there.
  return bytes <= (24 << 10)    ? "L1"
         : bytes <= (768 << 10) ? "L2"
         : bytes <= (16 << 20)  ? "L3"
                                : "DRAM";
}

double bandwidthOf(double bytes) {
  // Rounded up to a multiple of 4 KiB (readPass needs a multiple of 512).
  size_t size = ((size_t)bytes + 4095) / 4096 * 4096;
  static std::map<size_t, double> cache;
  auto it = cache.find(size);
  if (it == cache.end())
    it = cache.emplace(size, measureReadGBs(size)).first;
  return it->second;
}

} // namespace lutk_bench
