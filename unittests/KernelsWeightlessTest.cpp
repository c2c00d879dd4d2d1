//===- KernelsWeightlessTest.cpp - lutk_thermometer_f32, lutk_lut_f32_* ---===//
//
// The weightless kernels on every ISA path of this CPU against a direct
// evaluation of their definitions (Kernels.h): the thermometer's
// comparisons (NaN gives 0 bits) and the LUT layer's addresses and table
// reads, which are exact, so results must be bit-identical. Shapes cover
// partial 32-token blocks, strided rows, both mapping widths, fan-ins 1 to
// 16, out-of-range mapping indices (read as 0 bits), nonzero bytes other
// than 1, layers too wide for the kernel's stack block (their transposed
// bits in a heap buffer), one token of such a layer (token by token), and
// calls of 128 tokens or more (128-token blocks, with a partial last one).
// Data sit right before a PROT_NONE page, so an over-read faults.
//
//===----------------------------------------------------------------------===//
#include "KernelsTestUtil.h"

using namespace lutk_test;

namespace {

class KernelsWeightless : public IsaTest {};

TEST_P(KernelsWeightless, ThermometerMatchesItsDefinition) {
  for (int64_t n : {1, 31, 33, 100}) {
    const int64_t d = 7, b = 5, xStride = 9, tStride = 6, bitsStride = d * b + 3;
    Guarded<float> x(n * xStride), thr(d * tStride);
    Guarded<uint8_t> bits(n * bitsStride);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = (float)((int64_t)(mix(i) % 41) - 20) / 8.0f;
    x[3] = NAN;
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < tStride; ++j)
        thr[i * tStride + j] = -2.0f + 0.75f * (float)j + 0.125f * (float)i;
    std::memset(bits.data(), 0xAB, bits.size());
    lutk_thermometer_f32(x.data(), xStride, thr.data(), tStride, d, b, bits.data(), bitsStride,
                         n);
    for (int64_t t = 0; t < n; ++t)
      for (int64_t i = 0; i < d; ++i)
        for (int64_t j = 0; j < b; ++j) {
          float v = x[t * xStride + i];
          uint8_t want = v > thr[i * tStride + j] ? 1 : 0;
          ASSERT_EQ(bits[t * bitsStride + i * b + j], want)
              << "n " << n << ", token " << t << ", feature " << i << ", threshold " << j;
        }
    // The row padding is not written.
    EXPECT_EQ(bits[bitsStride - 1], 0xAB);
  }
}

struct LutShape {
  int64_t n, inputs, luts, fanIn;
};

template <class M> void checkLut(const LutShape &s, uint64_t seed) {
  const int64_t bitsStride = s.inputs + 5, mapStride = s.fanIn + 1;
  const int64_t tableStride = (int64_t(1) << s.fanIn) + 2, yStride = s.luts + 3;
  Guarded<uint8_t> bits(s.n * bitsStride);
  Guarded<M> mapping(s.luts * mapStride);
  Guarded<float> tables(s.luts * tableStride), y(s.n * yStride);
  for (size_t i = 0; i < bits.size(); ++i) {
    uint64_t h = mix(seed + i);
    bits[i] = (h & 1) ? (uint8_t)(1 + (h >> 8) % 255) : 0; // any nonzero byte is a 1
  }
  for (int64_t l = 0; l < s.luts; ++l)
    for (int64_t j = 0; j < mapStride; ++j) {
      uint64_t h = mix(seed * 31 + l * 97 + j);
      // One index in 16 is out of range (a 0 bit), either side.
      int64_t m = (int64_t)(h % s.inputs);
      if (h % 16 == 3)
        m = (h & 32) ? -1 - m : s.inputs + m;
      mapping[l * mapStride + j] = (M)m;
    }
  for (size_t i = 0; i < tables.size(); ++i)
    tables[i] = std::ldexp((float)((int64_t)(mix(seed ^ i) >> 40) - (1 << 23)), -20);
  for (size_t i = 0; i < y.size(); ++i)
    y[i] = -7.0f;
  if constexpr (sizeof(M) == 4)
    lutk_lut_f32_m32(bits.data(), bitsStride, s.inputs, mapping.data(), mapStride, s.fanIn,
                     tables.data(), tableStride, y.data(), yStride, s.n, s.luts);
  else
    lutk_lut_f32_m64(bits.data(), bitsStride, s.inputs, mapping.data(), mapStride, s.fanIn,
                     tables.data(), tableStride, y.data(), yStride, s.n, s.luts);
  for (int64_t t = 0; t < s.n; ++t) {
    for (int64_t l = 0; l < s.luts; ++l) {
      uint32_t addr = 0;
      for (int64_t j = 0; j < s.fanIn; ++j) {
        int64_t m = (int64_t)mapping[l * mapStride + j];
        if (m >= 0 && m < s.inputs && bits[t * bitsStride + m] != 0)
          addr |= 1u << j;
      }
      float want = tables[l * tableStride + addr];
      ASSERT_TRUE(sameBits(&y[t * yStride + l], &want, 1))
          << "n " << s.n << ", inputs " << s.inputs << ", fan-in " << s.fanIn << ": token "
          << t << ", LUT " << l;
    }
    ASSERT_EQ(y[t * yStride + s.luts], -7.0f) << "wrote past the row's " << s.luts << " LUTs";
  }
}

TEST_P(KernelsWeightless, LutMatchesItsDefinition) {
  const LutShape shapes[] = {
      {1, 8, 3, 1},     {31, 40, 17, 6},  {32, 40, 17, 6},   {77, 96, 64, 6},
      {65, 200, 9, 16}, {40, 2048, 5, 4},
      {35, 2049, 7, 5}, {70, 6144, 33, 6}, // > 2048 inputs: a heap block
      {1, 3000, 7, 5},                     // and one such token: token by token
      {300, 100, 40, 6}, {130, 3000, 9, 7}, // >= 128 tokens: 128-token blocks
  };
  uint64_t seed = 1;
  for (const LutShape &s : shapes) {
    checkLut<int32_t>(s, seed++);
    checkLut<int64_t>(s, seed++);
  }
}

TEST_P(KernelsWeightless, EmptyCallsWriteNothing) {
  float y = 3.0f;
  uint8_t bits = 1;
  int32_t map = 0;
  float table[2] = {1.0f, 2.0f};
  lutk_lut_f32_m32(&bits, 1, 1, &map, 1, 1, table, 2, &y, 1, 0, 1);
  lutk_lut_f32_m32(&bits, 1, 1, &map, 1, 1, table, 2, &y, 1, 1, 0);
  EXPECT_EQ(y, 3.0f);
  lutk_lut_f32_m32(&bits, 1, 1, &map, 1, 1, table, 2, &y, 1, 1, 1);
  EXPECT_EQ(y, 2.0f);
}

INSTANTIATE_TEST_SUITE_P(LutKernels, KernelsWeightless, ::testing::ValuesIn(availableIsas()),
                         isaName);

} // namespace
