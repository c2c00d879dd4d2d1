//===- KernelsBench.cpp - lut-kernels-bench: LUT microkernel benchmarks ---===//
//
// Single-thread benchmarks of lutk_gather_sum_* (f32, f16, bf16 and i8
// tables; H=32 tables of R=256 rows, M=768 or 3072 columns; u8 codes) and lutk_lsh_encode_* (D=768, H=32, k=8), and of
// a whole LUT FFN (encode + i8 gather, M=768), with counters for bytes and
// adds per token, GB/s and the fraction of the measured roofline
// (Roofline.h). Codes and inputs rotate over pools that touch every table
// row, so table reads come from where the tables live (L3 or DRAM), not from
// L1. The weightless kernels' benchmarks are in WeightlessBench.cpp.
//
//===----------------------------------------------------------------------===//
#include "Roofline.h"
#include "lut-c/Kernels.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

using namespace lutk_bench;

namespace {

constexpr int64_t kH = 32, kK = 8, kR = 256, kD = 768, kHK = kH * kK;

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};
template <class T> using Buf = std::unique_ptr<T[], FreeDeleter>;
template <class T> Buf<T> alloc(size_t count) {
  size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
  return Buf<T>(static_cast<T *>(std::aligned_alloc(64, bytes)));
}

std::mt19937 &rng() {
  static std::mt19937 r(1234);
  return r;
}

template <class T> Buf<T> randomFloats(size_t count, float scale = 1.0f) {
  Buf<T> b = alloc<T>(count);
  std::normal_distribution<float> normal(0.0f, scale);
  for (size_t i = 0; i < count; ++i)
    b[i] = normal(rng());
  return b;
}

/// Random u8 code sets, enough to touch every row of every table.
Buf<uint8_t> codePool(int64_t n, int64_t &sets) {
  sets = std::max<int64_t>(4, 131072 / (n * kH));
  Buf<uint8_t> c = alloc<uint8_t>(sets * n * kH);
  for (int64_t i = 0; i < sets * n * kH; ++i)
    c[i] = (uint8_t)rng()();
  return c;
}

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum TabT { kF32, kF16, kBF16, kI8 };
const int kElemBytes[] = {4, 2, 2, 1};

/// Tables [H, R, M] of one type (random data), built once per (type, M).
struct Tables {
  Buf<float> f32, scales, bias;
  Buf<uint16_t> f16, bf16;
  Buf<int8_t> i8;
};
Tables &tables(TabT t, int64_t m) {
  static Tables cache[4][2];
  Tables &c = cache[t][m == 768 ? 0 : 1];
  size_t count = (size_t)(kH * kR * m);
  if (!c.bias) {
    c.bias = randomFloats<float>(m);
    c.scales = randomFloats<float>(m, 0.01f);
    if (t == kF32)
      c.f32 = randomFloats<float>(count);
    if (t == kF16) {
      c.f16 = alloc<uint16_t>(count);
      for (size_t i = 0; i < count; ++i)
        c.f16[i] = (uint16_t)((rng()() & 0x83ff) | (10 + rng()() % 8) << 10);
    }
    if (t == kBF16) {
      Buf<float> f = randomFloats<float>(count);
      c.bf16 = alloc<uint16_t>(count);
      for (size_t i = 0; i < count; ++i) {
        uint32_t u;
        std::memcpy(&u, &f[i], 4);
        c.bf16[i] = (uint16_t)(u >> 16);
      }
    }
    if (t == kI8) {
      c.i8 = alloc<int8_t>(count);
      for (size_t i = 0; i < count; ++i)
        c.i8[i] = (int8_t)rng()();
    }
  }
  return c;
}

void gatherCall(TabT t, Tables &tb, const uint8_t *codes, float *y, int64_t n, int64_t m) {
  switch (t) {
  case kF32:
    lutk_gather_sum_f32_u8(codes, kH, tb.f32.get(), kH, kR, kR * m, m, nullptr, 0,
                           tb.bias.get(), y, m, n, m);
    break;
  case kF16:
    lutk_gather_sum_f16_u8(codes, kH, tb.f16.get(), kH, kR, kR * m, m, nullptr, 0,
                           tb.bias.get(), y, m, n, m);
    break;
  case kBF16:
    lutk_gather_sum_bf16_u8(codes, kH, tb.bf16.get(), kH, kR, kR * m, m, nullptr, 0,
                            tb.bias.get(), y, m, n, m);
    break;
  case kI8:
    lutk_gather_sum_i8_u8(codes, kH, tb.i8.get(), kH, kR, kR * m, m, tb.scales.get(), 0,
                          nullptr, 0, tb.bias.get(), y, m, n, m);
    break;
  }
}

/// Args: table type, n, M.
void BM_GatherSum(benchmark::State &state) {
  TabT t = (TabT)state.range(0);
  int64_t n = state.range(1), m = state.range(2), sets;
  Tables &tb = tables(t, m);
  Buf<uint8_t> pool = codePool(n, sets);
  Buf<float> y = alloc<float>(n * m);
  double all = (double)(kH * kR * m * kElemBytes[t]);
  double roof = bandwidthOf(all); // before the loop: measuring evicts caches
  int64_t it = 0;
  double t0 = seconds();
  for (auto _ : state) {
    gatherCall(t, tb, pool.get() + (it++ % sets) * n * kH, y.get(), n, m);
    benchmark::ClobberMemory();
  }
  double elapsed = seconds() - t0;
  double bytesPerTok = (double)(kH * m * kElemBytes[t]);
  double gbs = bytesPerTok * n * it / elapsed / 1e9;
  state.counters["tab_B/tok"] = bytesPerTok;
  state.counters["adds/tok"] = (double)(kH * m);
  state.counters["GB/s"] = gbs;
  state.counters["roof_GB/s"] = roof;
  state.counters["roof%"] = 100 * gbs / roof;
  state.SetLabel(std::string(levelOf(all)) + " tables " + std::to_string((int)(all / 1e6)) + " MB");
}

enum ProjT { kRawF32, kPackedF32, kPackedBF16 };

/// A projection in the form `kind`; with `cold`, copies of it totalling
/// >= 96 MB, to rotate over so that it streams from DRAM.
struct Projection {
  Buf<float> raw, packedF32, bias;
  Buf<uint16_t> packedBF16;
  int64_t bytes = 0, copies = 1;
  Projection(ProjT kind, bool cold) {
    Buf<float> p = randomFloats<float>(kD * kHK);
    bias = randomFloats<float>(kHK, 0.1f);
    int64_t sf = lutk_packed_projection_size_f32(kD, kH, kK);
    int64_t sb = lutk_packed_projection_size_bf16(kD, kH, kK);
    bytes = kind == kRawF32 ? kD * kHK * 4 : kind == kPackedF32 ? sf * 4 : sb * 2;
    copies = cold ? (96 << 20) / bytes + 1 : 1;
    raw = alloc<float>(kD * kHK * (kind == kRawF32 ? copies : 1));
    packedF32 = alloc<float>(sf * (kind == kPackedF32 ? copies : 1));
    packedBF16 = alloc<uint16_t>(sb * (kind == kPackedBF16 ? copies : 1));
    for (int64_t c = 0; c < copies; ++c) {
      if (kind == kRawF32)
        std::memcpy(raw.get() + c * kD * kHK, p.get(), kD * kHK * 4);
      if (kind == kPackedF32)
        lutk_pack_projection_f32(p.get(), kHK, kD, kH, kK, packedF32.get() + c * sf);
      if (kind == kPackedBF16)
        lutk_pack_projection_bf16(p.get(), kHK, kD, kH, kK, packedBF16.get() + c * sb);
    }
  }
  void encode(ProjT kind, int64_t copy, const float *x, uint8_t *codes, int64_t n) const {
    switch (kind) {
    case kRawF32:
      lutk_lsh_encode_f32_u8(x, kD, raw.get() + copy * kD * kHK, kHK, bias.get(), kD, kH, kK,
                             codes, kH, n);
      break;
    case kPackedF32:
      lutk_lsh_encode_packed_f32_u8(x, kD, packedF32.get() + copy * (bytes / 4), bias.get(),
                                    kD, kH, kK, codes, kH, n);
      break;
    case kPackedBF16:
      lutk_lsh_encode_packed_bf16_u8(x, kD, packedBF16.get() + copy * (bytes / 2),
                                     bias.get(), kD, kH, kK, codes, kH, n);
      break;
    }
  }
};

/// Args: projection kind, n, cold (rotate over copies of the projection
/// totalling > 64 MB, so that it streams from DRAM).
void BM_LshEncode(benchmark::State &state) {
  ProjT kind = (ProjT)state.range(0);
  int64_t n = state.range(1);
  Projection proj(kind, state.range(2) != 0);
  const int64_t copies = proj.copies;
  const int64_t xsets = 16;
  Buf<float> x = randomFloats<float>(xsets * n * kD);
  Buf<uint8_t> codes = alloc<uint8_t>(n * kH);
  double ws = (double)proj.bytes * copies;
  double roof = bandwidthOf(ws);
  int64_t it = 0;
  double t0 = seconds();
  for (auto _ : state) {
    proj.encode(kind, it % copies, x.get() + (it % xsets) * n * kD, codes.get(), n);
    ++it;
    benchmark::ClobberMemory();
  }
  double elapsed = seconds() - t0;
  double flops = 2.0 * kD * kHK * n * it / elapsed / 1e9;
  double gbs = (double)proj.bytes * it / elapsed / 1e9;
  double peak = kind == kPackedBF16 && roofline().bf16Gflops > 0 &&
                        std::strcmp(lutk_active_isa(), "avx512bf16") == 0
                    ? roofline().bf16Gflops
                    : roofline().fmaGflops;
  state.counters["P_B/tok"] = (double)proj.bytes / n;
  state.counters["MAC/tok"] = (double)(kD * kHK);
  state.counters["GB/s"] = gbs;
  state.counters["GFLOP/s"] = flops;
  state.counters["roof_GB/s"] = roof;
  state.counters["bw%"] = 100 * gbs / roof;
  state.counters["flop%"] = peak > 0 ? 100 * flops / peak : 0;
  state.SetLabel(std::string("P in ") + levelOf(ws));
}

/// A whole LUT FFN 768 -> 768 (LookupFFN form): encode (packed f32 or bf16
/// projection) + i8 gather_sum, H=32, k=8. Args: projection kind, n.
void BM_LutFfn(benchmark::State &state) {
  ProjT kind = (ProjT)state.range(0);
  int64_t n = state.range(1), m = kD;
  Projection proj(kind, false);
  Tables &tb = tables(kI8, m);
  const int64_t xsets = std::max<int64_t>(4, 4096 / n);
  Buf<float> x = randomFloats<float>(xsets * n * kD);
  Buf<uint8_t> codes = alloc<uint8_t>(n * kH);
  Buf<float> y = alloc<float>(n * m);
  int64_t it = 0;
  double t0 = seconds();
  for (auto _ : state) {
    proj.encode(kind, 0, x.get() + (it++ % xsets) * n * kD, codes.get(), n);
    gatherCall(kI8, tb, codes.get(), y.get(), n, m);
    benchmark::ClobberMemory();
  }
  double us = (seconds() - t0) / it * 1e6;
  // No ratio against ONNX Runtime here: bench/run.py measures both sides
  // in one run.
  state.counters["us/tok"] = us / n;
}

/// Args: bytes. The read bandwidth of Roofline.h, as a benchmark.
void BM_ReadBandwidth(benchmark::State &state) {
  size_t bytes = (size_t)state.range(0);
  Buf<char> b = alloc<char>(bytes);
  std::memset(b.get(), 1, bytes);
  uint64_t acc = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(acc += readPass(b.get(), bytes));
  state.SetBytesProcessed((int64_t)state.iterations() * (int64_t)bytes);
}

/// The share of sign bits where the bf16 projection kernel differs from the
/// f32 one, on Gaussian x and P (D=768, H=32, k=8, 4096 tokens).
double bf16FlipRate() {
  const int64_t n = 4096;
  Projection f32(kPackedF32, false), bf16(kPackedBF16, false);
  // Same projection in both: rebuild bf16's from f32's source.
  Buf<float> p = randomFloats<float>(kD * kHK);
  lutk_pack_projection_f32(p.get(), kHK, kD, kH, kK, f32.packedF32.get());
  lutk_pack_projection_bf16(p.get(), kHK, kD, kH, kK, bf16.packedBF16.get());
  std::memcpy(bf16.bias.get(), f32.bias.get(), kHK * sizeof(float));
  Buf<float> x = randomFloats<float>(n * kD);
  Buf<uint8_t> a = alloc<uint8_t>(n * kH), b = alloc<uint8_t>(n * kH);
  f32.encode(kPackedF32, 0, x.get(), a.get(), n);
  bf16.encode(kPackedBF16, 0, x.get(), b.get(), n);
  int64_t flips = 0;
  for (int64_t i = 0; i < n * kH; ++i)
    flips += __builtin_popcount((unsigned)(a[i] ^ b[i]));
  return (double)flips / (double)(n * kHK);
}

void registerAll() {
  const char *tab[] = {"f32", "f16", "bf16", "i8"};
  for (int t : {kF32, kF16, kBF16, kI8})
    for (int64_t m : {768, 3072})
      for (int64_t n : {1, 128})
        benchmark::RegisterBenchmark(
            (std::string("gather_sum/") + tab[t] + "/M=" + std::to_string(m) + "/n=" +
             std::to_string(n)).c_str(),
            BM_GatherSum)
            ->Args({t, n, m})
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
  const char *proj[] = {"raw_f32", "packed_f32", "packed_bf16"};
  for (int p : {kRawF32, kPackedF32, kPackedBF16})
    for (int64_t n : {1, 128})
      for (int cold : {0, 1}) {
        if (cold && n != 1)
          continue;
        benchmark::RegisterBenchmark((std::string("lsh_encode/") + proj[p] + "/n=" +
                                      std::to_string(n) + (cold ? "/cold" : ""))
                                         .c_str(),
                                     BM_LshEncode)
            ->Args({p, n, cold})
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
  for (int p : {kPackedF32, kPackedBF16})
    for (int64_t n : {1, 128})
      benchmark::RegisterBenchmark(
          (std::string("lut_ffn_i8/") + proj[p] + "/n=" + std::to_string(n)).c_str(), BM_LutFfn)
          ->Args({p, n})
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
  benchmark::RegisterBenchmark("read_bandwidth", BM_ReadBandwidth)
      ->Arg(16 << 10)
      ->Arg(512 << 10)
      ->Arg(8 << 20)
      ->Arg(512 << 20)
      ->Unit(benchmark::kMicrosecond);
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  const Roofline &r = roofline();
  std::printf("lutk path: %s\n", lutk_active_isa());
  std::printf("roofline (1 thread, best of 5): read GB/s L1 %.1f, L2 %.1f, L3 %.1f, DRAM %.1f; "
              "f32 FMA %.1f GFLOP/s, bf16 dot %.1f GFLOP/s\n",
              r.l1, r.l2, r.l3, r.dram, r.fmaGflops, r.bf16Gflops);
  double flips = bf16FlipRate();
  std::printf("bf16 projection: %.4f%% of sign bits differ from the f32 kernel's (Gaussian x, "
              "P and bias, D=768, 4096 tokens x 256 bits)\n",
              100 * flips);
  char buf[256];
  std::snprintf(buf, sizeof buf, "L1 %.1f L2 %.1f L3 %.1f DRAM %.1f GB/s; FMA %.1f bf16 %.1f GFLOP/s",
                r.l1, r.l2, r.l3, r.dram, r.fmaGflops, r.bf16Gflops);
  benchmark::AddCustomContext("roofline", buf);
  benchmark::AddCustomContext("lutk_isa", lutk_active_isa());
  benchmark::AddCustomContext("bf16_flip_rate", std::to_string(flips));
  registerAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
