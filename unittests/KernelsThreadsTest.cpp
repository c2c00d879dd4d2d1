//===- KernelsThreadsTest.cpp - LutKernels' parallel splits ---------------===//
//
// With libgomp linked and LUT_NUM_THREADS=2, (a) parallelFor runs its items
// on two threads, each item once, and (b) a gather_sum or lsh_encode call
// large enough to be split (by tokens, or by output columns for one token)
// gives bit-identical results to the unsplit scalar kernel, and so do the
// weightless kernels, split by blocks of tokens.
//
//===----------------------------------------------------------------------===//
#include "lut-c/Kernels.h"

#include "../lib/Kernels/KernelTable.h"
#include "../lib/Kernels/Threads.h"

#include <gtest/gtest.h>

#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

extern "C" int omp_get_thread_num(void);

namespace {

struct Env {
  Env() { setenv("LUT_NUM_THREADS", "2", 1); }
} gEnv; // before any kernel reads it

TEST(LutKernelsThreads, ParallelForUsesBothThreadsOnce) {
  ASSERT_EQ(lutk::threadCount(), 2);
  struct Ctx {
    std::vector<std::atomic<int>> hits;
    std::atomic<int> threadsSeen[2];
  } ctx{std::vector<std::atomic<int>>(101), {}};
  lutk::parallelFor(
      101, 2,
      [](void *p, int64_t b, int64_t e) {
        auto &c = *static_cast<Ctx *>(p);
        c.threadsSeen[omp_get_thread_num() & 1] = 1;
        for (int64_t i = b; i < e; ++i)
          ++c.hits[i];
      },
      &ctx);
  for (int i = 0; i < 101; ++i)
    EXPECT_EQ(ctx.hits[i].load(), 1) << "item " << i;
  EXPECT_EQ(ctx.threadsSeen[0] + ctx.threadsSeen[1], 2);
}

/// gather_sum f32/u8 through the public (split) entry point and the scalar
/// kernel called once on the whole problem.
void checkGather(int64_t n, int64_t h, int64_t m) {
  std::mt19937 rng(n * 7 + m);
  std::normal_distribution<float> normal;
  const int64_t r = 256;
  std::vector<uint8_t> codes(n * h);
  for (auto &c : codes)
    c = rng() & 255;
  std::vector<float> tables(h * r * m), bias(m), y(n * m), yRef(n * m);
  for (auto &v : tables)
    v = normal(rng);
  for (auto &v : bias)
    v = normal(rng);
  lutk_gather_sum_f32_u8(codes.data(), h, tables.data(), h, r, r * m, m, nullptr, 0,
                         bias.data(), y.data(), m, n, m);
  lutk::GatherArgs a{codes.data(), h, tables.data(), h, r * m, m, nullptr, 0,
                     nullptr, 0, bias.data(), yRef.data(), m, n, m};
  lutk::scalarTable().gather[lutk::kTabF32][lutk::kCodeU8](a);
  EXPECT_EQ(std::memcmp(y.data(), yRef.data(), y.size() * sizeof(float)), 0)
      << "n=" << n << " h=" << h << " m=" << m;
}

// Without LUT_NUM_THREADS the default is the CPUs the process may run on:
// its affinity mask (taskset, container CPU sets), not all online CPUs.
TEST(LutKernelsThreads, DefaultFollowsAffinityMask) {
  cpu_set_t saved, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof(saved), &saved), 0);
  EXPECT_EQ(lutk::availableCpus(), CPU_COUNT(&saved));
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &saved)) {
      CPU_SET(c, &one);
      break;
    }
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  EXPECT_EQ(lutk::availableCpus(), 1);
  ASSERT_EQ(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

// lutk_parallel_for (the compiled models' loops): every item exactly once,
// nothing for an empty range.
TEST(LutKernelsThreads, ParallelForEntryPoint) {
  std::vector<std::atomic<int>> hits(1000);
  auto body = [](void *p, int64_t b, int64_t e) {
    auto &h = *static_cast<std::vector<std::atomic<int>> *>(p);
    for (int64_t i = b; i < e; ++i)
      ++h[i];
  };
  lutk_parallel_for(1000, body, &hits);
  lutk_parallel_for(0, body, &hits);
  lutk_parallel_for(-5, body, &hits);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(hits[i], 1) << "item " << i;
}

TEST(LutKernelsThreads, GatherSplitByTokensIsExact) { checkGather(64, 32, 200); }
TEST(LutKernelsThreads, GatherSplitByColumnsIsExact) { checkGather(1, 300, 1000); }

TEST(LutKernelsThreads, EncodeSplitByTokensIsExact) {
  const int64_t n = 67, d = 256, h = 32, k = 8;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  std::vector<float> x(n * d), proj(d * h * k), bias(h * k);
  for (auto *v : {&x, &proj, &bias})
    for (auto &e : *v)
      e = normal(rng);
  std::vector<uint8_t> codes(n * h), ref(n * h);
  lutk_lsh_encode_f32_u8(x.data(), d, proj.data(), h * k, bias.data(), d, h, k, codes.data(),
                         h, n);
  lutk::EncodeArgs a{x.data(), d, proj.data(), h * k, bias.data(), d, h, k,
                     ref.data(), h, n, lutk::kCodeU8};
  lutk::scalarTable().encode[lutk::kProjRawF32](a);
  EXPECT_EQ(codes, ref);
}

// The weightless kernels split by blocks of 32 tokens (a partial last
// block): the same bytes and entries as one scalar call.
TEST(LutKernelsThreads, WeightlessSplitByTokensIsExact) {
  const int64_t n = 1000, d = 96, b = 8, l = 384, fanIn = 6, inputs = d * b;
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  std::vector<float> x(n * d), thr(d * b), tables(l << fanIn);
  for (auto *v : {&x, &tables})
    for (auto &e : *v)
      e = normal(rng);
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < b; ++j)
      thr[i * b + j] = -1.5f + 3.0f * (float)j / (float)b;
  std::vector<int64_t> mapping(l * fanIn);
  for (auto &m : mapping)
    m = (int64_t)(rng() % inputs);
  std::vector<uint8_t> bits(n * inputs), bitsRef(n * inputs);
  lutk_thermometer_f32(x.data(), d, thr.data(), b, d, b, bits.data(), inputs, n);
  lutk::ThermoArgs ta{x.data(), d, thr.data(), b, d, b, bitsRef.data(), inputs, n};
  lutk::scalarTable().thermometer(ta);
  EXPECT_EQ(bits, bitsRef);
  std::vector<float> y(n * l), yRef(n * l);
  lutk_lut_f32_m64(bits.data(), inputs, inputs, mapping.data(), fanIn, fanIn, tables.data(),
                   1 << fanIn, y.data(), l, n, l);
  lutk::LutArgs la{bits.data(), inputs, inputs, mapping.data(), fanIn, fanIn,
                   tables.data(), 1 << fanIn, yRef.data(), l, n, l};
  lutk::scalarTable().lut[lutk::kMapI64](la);
  EXPECT_EQ(std::memcmp(y.data(), yRef.data(), y.size() * sizeof(float)), 0);
}

} // namespace
