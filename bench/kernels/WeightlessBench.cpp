//===- WeightlessBench.cpp - lut-kernels-bench: the weightless kernels ----===//
//
// Single-thread benchmarks of lutk_thermometer_f32 and lutk_lut_f32_m32 (the
// CPU lowering of lut.thermometer and lut.lut) at the shapes of a weightless
// FFN: D features with B thresholds each give D*B bits, read by L = 16*D
// LUTs of fan-in n. Two widths: D=96 (the example ViT's; 768 bits) and
// D=768 (ViT-B's; 6,144 bits, whose transposed block does not fit the
// kernel's stack, so the dispatcher gives it a heap buffer). Counters:
// nanoseconds per token and LUT lookups per nanosecond (G lookups/s).
//
//===----------------------------------------------------------------------===//
#include "lut-c/Kernels.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

namespace {

constexpr int64_t kThresholds = 8, kLutsPerFeature = 16;

struct Layer {
  int64_t d, inputs, luts, fanIn;
  std::vector<float> x, thresholds, tables, y;
  std::vector<uint8_t> bits;
  std::vector<int32_t> mapping;

  Layer(int64_t d, int64_t fanIn, int64_t n)
      : d(d), inputs(d * kThresholds), luts(d * kLutsPerFeature), fanIn(fanIn) {
    std::mt19937 r(42);
    std::normal_distribution<float> normal;
    x.resize(n * d);
    for (float &v : x)
      v = normal(r);
    // Ascending thresholds per feature at the normal's quantiles, roughly.
    thresholds.resize(d * kThresholds);
    for (int64_t i = 0; i < d; ++i)
      for (int64_t k = 0; k < kThresholds; ++k)
        thresholds[i * kThresholds + k] = -1.5f + 3.0f * k / (kThresholds - 1);
    // A random mapping that uses every input about equally (as
    // lutmlir.torch's LUTLayer draws it).
    mapping.resize(luts * fanIn);
    std::vector<int32_t> perm(inputs);
    for (int64_t i = 0; i < luts * fanIn; i += inputs) {
      for (int64_t j = 0; j < inputs; ++j)
        perm[j] = (int32_t)j;
      std::shuffle(perm.begin(), perm.end(), r);
      std::copy_n(perm.begin(), std::min<int64_t>(inputs, luts * fanIn - i), mapping.begin() + i);
    }
    tables.resize(luts << fanIn);
    for (float &v : tables)
      v = normal(r);
    bits.resize(n * inputs);
    y.resize(n * luts);
  }

  void thermometer(int64_t n) {
    lutk_thermometer_f32(x.data(), d, thresholds.data(), kThresholds, d, kThresholds,
                         bits.data(), inputs, n);
  }
  void lut(int64_t n) {
    lutk_lut_f32_m32(bits.data(), inputs, inputs, mapping.data(), fanIn, fanIn, tables.data(),
                     int64_t(1) << fanIn, y.data(), luts, n, luts);
  }
};

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Runs `fn` in the benchmark loop; returns the seconds per call and sets
/// the ns/tok counter for `n` tokens per call.
template <class F> double timed(benchmark::State &state, int64_t n, F fn) {
  int64_t it = 0;
  double t0 = seconds();
  for (auto _ : state) {
    fn();
    ++it;
    benchmark::ClobberMemory();
  }
  double perCall = (seconds() - t0) / (double)(it ? it : 1);
  state.counters["ns/tok"] = perCall / (double)n * 1e9;
  return perCall;
}

/// Args: D, fan-in, tokens.
void BM_Thermometer(benchmark::State &state) {
  int64_t n = state.range(2);
  Layer l(state.range(0), state.range(1), n);
  timed(state, n, [&] { l.thermometer(n); });
}

/// Args: D, fan-in, tokens.
void BM_WeightlessLut(benchmark::State &state) {
  int64_t n = state.range(2);
  Layer l(state.range(0), state.range(1), n);
  l.thermometer(n);
  double perCall = timed(state, n, [&] { l.lut(n); });
  state.counters["Glookup/s"] = (double)n * l.luts / perCall / 1e9;
  state.SetLabel(n >= 128 ? "128-token blocks" : "32-token blocks");
}

void args(benchmark::internal::Benchmark *b) {
  for (int64_t d : {96, 768})
    for (int64_t n : {1, 128, 1700})
      b->Args({d, 6, n});
  b->Args({96, 4, 1700})->Args({96, 8, 1700});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_Thermometer)->Apply(args);
BENCHMARK(BM_WeightlessLut)->Apply(args);

} // namespace
