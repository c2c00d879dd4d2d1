//===- Roofline.h - measured ceilings for lut-kernels-bench -----*- C++ -*-===//
//
// Single-thread read bandwidth at each cache level and peak f32 FMA and
// bf16 dot-product rates, measured on the running machine, so that the
// kernel benchmarks can report the fraction of the ceiling they reach.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_BENCH_KERNELS_ROOFLINE_H
#define LUT_BENCH_KERNELS_ROOFLINE_H

#include <cstddef>
#include <cstdint>

namespace lutk_bench {

/// One streaming pass of sequential 64-byte reads over `bytes` (a multiple
/// of 512) at `p` (64-byte aligned); returns a value depending on the data.
uint64_t readPass(const void *p, size_t bytes);

/// GB/s (1e9 bytes/s) of repeated readPass over a buffer of `bytes`: the
/// best of several trials, so an attainable ceiling.
double measureReadGBs(size_t bytes);

/// Peak GFLOP/s of independent FMAs (2 flops each per lane) and of bf16
/// pair dot products (4 flops per f32 lane), 0 where the CPU lacks them.
double measurePeakFmaGflops();
double measurePeakBf16Gflops();

struct Roofline {
  double l1, l2, l3, dram;    // read GB/s
  double fmaGflops, bf16Gflops;
};

/// Measured once (about two seconds), then cached.
const Roofline &roofline();

/// Where a working set of `bytes` lives on this machine (32 KiB L1d, 1 MiB
/// L2, 32 MiB L3 shared by both cores), for labels.
const char *levelOf(double bytes);

/// The roofline of a kernel whose data is `bytes` in all: measureReadGBs()
/// of a buffer of that size (measured on first use, then cached). Unlike a
/// per-level figure, this is right for working sets that are partly cache
/// resident (e.g. 25 MB of tables in a 32 MB L3 that the VM shares).
double bandwidthOf(double bytes);

} // namespace lutk_bench

#endif // LUT_BENCH_KERNELS_ROOFLINE_H
