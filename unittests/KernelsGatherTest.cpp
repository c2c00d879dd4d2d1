//===- KernelsGatherTest.cpp - tests of lutk_gather_sum_* -----------------===//
//
// Every gather_sum entry point on every ISA path of this CPU, against
// (a) a replica of the documented f32 arithmetic (bit-identical results) and
// (b) a double-precision reference within the documented error bound. Data
// sit right before a PROT_NONE page, so an over-read or over-write faults.
//
//===----------------------------------------------------------------------===//
#include "KernelsTestUtil.h"

#include <algorithm>

using namespace lutk_test;

namespace {

enum TabT { kF32, kF16, kBF16, kI8 };
enum CodeT { kU8, kU16, kI32 };
const char *tabName(TabT t) { return (const char *[]){"f32", "f16", "bf16", "i8"}[t]; }
const char *codeName(CodeT c) { return (const char *[]){"u8", "u16", "i32"}[c]; }

/// A random value exactly representable in table type t: f32 with a full
/// 24-bit mantissa in (-2, 2), f16 and bf16 over a range of exponents (f16
/// subnormals included), i8 over [-128, 127].
float tableValue(TabT t, uint64_t h) {
  switch (t) {
  case kF32:
    return std::ldexp((float)((int64_t)(h >> 40) - (1 << 23)), -22);
  case kF16:
    return f16ToF32((uint16_t)((h & 0x8000) | ((h >> 16) % 21) << 10 | ((h >> 32) & 0x3ff)));
  case kBF16:
    return bf16ToF32((uint16_t)((h & 0x8000) | (120 + (h >> 16) % 12) << 7 | ((h >> 32) & 0x7f)));
  case kI8:
    return (float)(int8_t)h;
  }
  return 0;
}

struct Shape {
  int64_t n, h, r, m;
};

/// One gather problem with padded strides, inputs in guarded buffers.
struct Problem {
  TabT tab;
  CodeT code;
  Shape s;
  bool weights, bias;
  int64_t scalesStride; // i8: 0 shared per column, else per table
  int64_t colOffset;    // the tile starts at this column of wider tables
  int64_t cs, rs, ts, ws, ys, fullM;
  std::vector<int64_t> codeVals;
  std::vector<float> tabVals; // table entries as f32 (exact per type)
  std::vector<float> wVals, bVals, sVals;

  Problem(TabT t, CodeT c, Shape sh, bool w, bool b, int64_t ss, int64_t off, std::mt19937 &rng)
      : tab(t), code(c), s(sh), weights(w), bias(b), scalesStride(ss), colOffset(off) {
    cs = s.h + 3;
    fullM = s.m + off;
    rs = fullM + 5;
    ts = s.r * rs + 7;
    ws = s.h + 1;
    ys = s.m + 2;
    std::uniform_int_distribution<int64_t> code(0, s.r - 1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    codeVals.resize(s.n * s.h);
    for (auto &v : codeVals)
      v = code(rng);
    codeVals.back() = s.r - 1; // the last row: ends at the guard page
    tabVals.resize(tableElems());
    uint64_t seed = rng();
    for (size_t e = 0; e < tabVals.size(); ++e)
      tabVals[e] = tableValue(t, mix(seed + e));
    wVals.resize(s.n * s.h);
    for (auto &v : wVals)
      v = normal(rng);
    bVals.resize(s.m);
    for (auto &v : bVals)
      v = normal(rng);
    sVals.resize(scalesStride ? (s.h - 1) * scalesStride + s.m : s.m);
    for (auto &v : sVals)
      v = std::ldexp(1.0f + std::fabs(normal(rng)), -7);
  }
  size_t tableElems() const { return (size_t)((s.h - 1) * ts + (s.r - 1) * rs + fullM); }
  float T(int64_t t, int64_t i, int64_t j) const {
    return tabVals[t * ts + codeVals[i * s.h + t] * rs + colOffset + j];
  }
  float w(int64_t i, int64_t t) const { return weights ? wVals[i * s.h + t] : 1.0f; }

  /// The documented f32 arithmetic, in order.
  float replica(int64_t i, int64_t j) const {
    float b = bias ? bVals[j] : 0.0f;
    if (tab == kI8 && !scalesStride && !weights) {
      int64_t sum = 0;
      for (int64_t t = 0; t < s.h; ++t)
        sum += (int64_t)T(t, i, j);
      return bias ? std::fmaf((float)sum, sVals[j], b) : (float)sum * sVals[j];
    }
    float acc = 0.0f;
    for (int64_t t = 0; t < s.h; ++t) {
      if (tab == kI8 && scalesStride) {
        float sc = sVals[t * scalesStride + j];
        acc = std::fmaf(weights ? w(i, t) * sc : sc, T(t, i, j), acc);
      } else {
        acc = weights ? std::fmaf(w(i, t), T(t, i, j), acc) : acc + T(t, i, j);
      }
    }
    if (tab == kI8 && !scalesStride)
      return bias ? std::fmaf(acc, sVals[j], b) : acc * sVals[j];
    return bias ? acc + b : acc;
  }

  /// Double reference and the documented bound h*2^-24*sum|terms| (+bias).
  void reference(int64_t i, int64_t j, double &value, double &bound) const {
    double sum = 0, mag = 0;
    for (int64_t t = 0; t < s.h; ++t) {
      double sc = tab != kI8 ? 1.0 : sVals[t * scalesStride + j];
      double term = (double)w(i, t) * sc * T(t, i, j);
      sum += term;
      mag += std::fabs(term);
    }
    double b = bias ? bVals[j] : 0.0;
    value = sum + b;
    bound = (s.h + 2) * std::ldexp(mag, -24) + std::ldexp(std::fabs(value), -23) + 1e-30;
  }

  /// Runs the kernel of this problem's types; y gets [n, ys] with sentinel
  /// padding.
  void run(Guarded<float> &y) const {
    Guarded<uint8_t> c8(codeElems());
    Guarded<uint16_t> c16(codeElems());
    Guarded<int32_t> c32(codeElems());
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t t = 0; t < s.h; ++t) {
        int64_t v = codeVals[i * s.h + t];
        c8[i * cs + t] = (uint8_t)v;
        c16[i * cs + t] = (uint16_t)v;
        c32[i * cs + t] = (int32_t)v;
      }
    Guarded<float> wts(weights ? (size_t)((s.n - 1) * ws + s.h) : 1);
    for (int64_t i = 0; weights && i < s.n; ++i)
      for (int64_t t = 0; t < s.h; ++t)
        wts[i * ws + t] = wVals[i * s.h + t];
    Guarded<float> b(s.m), sc(sVals.size());
    std::copy(bVals.begin(), bVals.end(), b.data());
    std::copy(sVals.begin(), sVals.end(), sc.data());
    const float *wp = weights ? wts.data() : nullptr, *bp = bias ? b.data() : nullptr;
    size_t te = tableElems();
#define LUTK_CODES(FN, ...)                                                                  \
  switch (code) {                                                                            \
  case kU8: FN##_u8(c8.data(), __VA_ARGS__); break;                                          \
  case kU16: FN##_u16(c16.data(), __VA_ARGS__); break;                                       \
  case kI32: FN##_i32(c32.data(), __VA_ARGS__); break;                                       \
  }
#define LUTK_FLOAT_TABLE(FN, TYPE, CONV)                                                     \
  {                                                                                          \
    Guarded<TYPE> tb(te);                                                                    \
    for (size_t e = 0; e < te; ++e)                                                          \
      tb[e] = CONV(tabVals[e]);                                                              \
    LUTK_CODES(FN, cs, tb.data() + colOffset, s.h, s.r, ts, rs, wp, ws, bp, y.data(), ys,    \
               s.n, s.m)                                                                     \
  }
    switch (tab) {
    case kF32: LUTK_FLOAT_TABLE(lutk_gather_sum_f32, float, ) break;
    case kF16: LUTK_FLOAT_TABLE(lutk_gather_sum_f16, uint16_t, f16FromExact) break;
    case kBF16: LUTK_FLOAT_TABLE(lutk_gather_sum_bf16, uint16_t, f32ToBf16) break;
    case kI8: {
      Guarded<int8_t> tb(te);
      for (size_t e = 0; e < te; ++e)
        tb[e] = (int8_t)tabVals[e];
      LUTK_CODES(lutk_gather_sum_i8, cs, tb.data() + colOffset, s.h, s.r, ts, rs, sc.data(),
                 scalesStride, wp, ws, bp, y.data(), ys, s.n, s.m)
      break;
    }
    }
#undef LUTK_FLOAT_TABLE
#undef LUTK_CODES
  }
  size_t codeElems() const { return (size_t)((s.n - 1) * cs + s.h); }
  size_t yElems() const { return (size_t)(s.n * ys); }
};

const float kSentinel = -12345.5f;

/// Runs p, checks the replica bitwise, the reference within the bound, and
/// that the padding of y is untouched.
void check(const Problem &p) {
  Guarded<float> y(p.yElems());
  std::fill(y.data(), y.data() + y.size(), kSentinel);
  p.run(y);
  for (int64_t i = 0; i < p.s.n; ++i) {
    for (int64_t j = 0; j < p.s.m; ++j) {
      float got = y[i * p.ys + j], want = p.replica(i, j);
      ASSERT_TRUE(sameBits(&got, &want, 1)) << "y[" << i << "," << j << "]";
      double ref, bound;
      p.reference(i, j, ref, bound);
      ASSERT_LE(std::fabs(got - ref), bound) << "y[" << i << "," << j << "]";
    }
    for (int64_t j = p.s.m; j < p.ys; ++j)
      ASSERT_EQ(y[i * p.ys + j], kSentinel) << "padding y[" << i << "," << j << "] written";
  }
}

using KernelsGather = IsaTest;

const Shape kShapes[] = {{1, 1, 2, 1},      {1, 1, 2, 17},    {2, 3, 16, 5},  {3, 5, 16, 37},
                         {4, 32, 256, 100}, {2, 32, 64, 781}, {7, 9, 4, 300}, {1, 2, 65536, 19},
                         {2, 4, 8, 1024}};

TEST_P(KernelsGather, EveryTypeCodeAndOperand) {
  std::mt19937 rng(42);
  for (int tab = kF32; tab <= kI8; ++tab)
    for (int code = kU8; code <= kI32; ++code)
      for (const Shape &s : kShapes) {
        if (code == kU8 && s.r > 256)
          continue;
        for (int opts = 0; opts < 4; ++opts)
          for (int64_t ss : {(int64_t)0, s.m + 4}) {
            if (ss && tab != kI8)
              continue;
            for (int64_t off : {0, 3}) {
              Problem p((TabT)tab, (CodeT)code, s, opts & 1, opts & 2, ss, off, rng);
              SCOPED_TRACE(testing::Message()
                           << tabName(p.tab) << "/" << codeName(p.code) << " n=" << s.n
                           << " h=" << s.h << " r=" << s.r << " m=" << s.m
                           << " weights=" << p.weights << " bias=" << p.bias
                           << " scales_stride=" << ss << " col_offset=" << off);
              check(p);
              if (HasFatalFailure())
                return;
            }
          }
      }
}

/// i8 extremes: every table at -128 (or 127) over up to 1000 tables, past
/// the 16-bit range and the 256-table chunks; sums must be exact.
TEST_P(KernelsGather, I8ExtremesAreExact) {
  std::mt19937 rng(7);
  for (int64_t h : {1, 255, 256, 257, 512, 1000})
    for (int extreme : {-128, 127})
      for (CodeT code : {kU8, kI32}) {
        Problem p(kI8, code, {3, h, 4, 70}, false, true, 0, 0, rng);
        for (int64_t i = 0; i < p.s.n; ++i)
          for (int64_t t = 0; t < h; ++t)
            p.codeVals[i * h + t] = (i + t) % 4;
        for (size_t e = 0; e < p.tabVals.size(); ++e)
          p.tabVals[e] = (float)extreme;
        SCOPED_TRACE(testing::Message() << "h=" << h << " extreme=" << extreme);
        Guarded<float> y(p.yElems());
        p.run(y);
        for (int64_t i = 0; i < p.s.n; ++i)
          for (int64_t j = 0; j < p.s.m; ++j) {
            float want = std::fmaf((float)(extreme * h), p.sVals[j], p.bVals[j]);
            ASSERT_EQ(y[i * p.ys + j], want) << i << "," << j;
          }
      }
}

/// Every path gives the scalar path's bits (one mid-size problem per type).
TEST_P(KernelsGather, MatchesScalarPath) {
  std::mt19937 rng(3);
  for (int tab = kF32; tab <= kI8; ++tab)
    for (bool w : {false, true}) {
      Problem p((TabT)tab, kU16, {5, 33, 300, 200}, w, true, 0, 1, rng);
      Guarded<float> y(p.yElems()), ys(p.yElems());
      p.run(y);
      onScalar([&] { p.run(ys); });
      EXPECT_TRUE(sameBits(y.data(), ys.data(), y.size())) << tabName(p.tab) << " w=" << w;
    }
}

INSTANTIATE_TEST_SUITE_P(LutKernels, KernelsGather, ::testing::ValuesIn(availableIsas()), isaName);

TEST(KernelsDispatch, Names) {
  EXPECT_EQ(lutk_isa_available("scalar"), 1);
  EXPECT_EQ(lutk_isa_available("bogus"), 0);
  EXPECT_EQ(lutk_isa_available(nullptr), 0);
  EXPECT_EQ(lutk_force_isa("bogus"), 0);
  for (const std::string &isa : availableIsas()) {
    ASSERT_EQ(lutk_force_isa(isa.c_str()), 1);
    EXPECT_EQ(isa, lutk_active_isa());
  }
  ASSERT_EQ(lutk_force_isa(nullptr), 1);
  EXPECT_EQ(availableIsas().back(), lutk_active_isa()); // listed worst to best
}

} // namespace
