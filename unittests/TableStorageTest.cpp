//===- TableStorageTest.cpp - tables rounded to their stored type ---------===//
//
// lut/Fit/TableStorage.h: the i8 scales and quantization lut-pack-tables
// stores, and the tables as the kernels read them back, which the LUT
// report uses for its held-out error of stored tables.
//
//===----------------------------------------------------------------------===//
#include "lut/Fit/TableStorage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace lut::fit;

namespace {

// T[h, r, m] with H = 2, R = 2, M = 3; column 2 is all zeros.
const std::vector<float> kT = {1.0f, -2.0f, 0.0f, 0.25f, 4.0f, 0.0f,
                               -1.0f, 2.0f, 0.0f, 3.0f, -8.0f, 0.0f};

TEST(TableStorage, I8ScalesPerColumnAndPerTable) {
  std::vector<float> s = i8Scales(kT, 2, 2, 3, false);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_FLOAT_EQ(s[0], 3.0f / 127);
  EXPECT_FLOAT_EQ(s[1], 8.0f / 127);
  EXPECT_FLOAT_EQ(s[2], 1.0f); // an all-zero column
  std::vector<float> st = i8Scales(kT, 2, 2, 3, true);
  ASSERT_EQ(st.size(), 6u);
  EXPECT_FLOAT_EQ(st[0], 1.0f / 127); // table 0, column 0: max(|1|, |0.25|)
  EXPECT_FLOAT_EQ(st[4], 8.0f / 127); // table 1, column 1
}

TEST(TableStorage, QuantizeRoundsToNearestEvenAndClamps) {
  EXPECT_EQ(quantizeI8(2.5f, 1.0f), 2);
  EXPECT_EQ(quantizeI8(3.5f, 1.0f), 4);
  EXPECT_EQ(quantizeI8(-3.5f, 1.0f), -4);
  EXPECT_EQ(quantizeI8(1000.0f, 1.0f), 127);
  EXPECT_EQ(quantizeI8(-1000.0f, 1.0f), -127);
  EXPECT_EQ(quantizeI8(std::numeric_limits<float>::quiet_NaN(), 1.0f), 0);
}

TEST(TableStorage, I8RoundTripErrorIsAtMostHalfAScale) {
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.0f, 1.0f);
  int64_t h = 4, r = 16, m = 7;
  std::vector<float> t(h * r * m);
  for (float &v : t)
    v = g(rng);
  for (bool perTable : {false, true}) {
    std::vector<float> s = i8Scales(t, h, r, m, perTable);
    std::vector<float> back = storedTables(t, h, r, m, TableStorage::I8, perTable);
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < r; ++j)
        for (int64_t c = 0; c < m; ++c) {
          int64_t e = (i * r + j) * m + c;
          float sc = s[perTable ? i * m + c : c];
          EXPECT_LE(std::fabs(back[e] - t[e]), sc / 2 * 1.0001f) << "entry " << e;
        }
  }
}

TEST(TableStorage, HalfPrecisionRounding) {
  std::vector<float> t = {1.0f + 1.0f / 4096, 65504.0f, 1e6f, 1.0f + 1.0f / 512};
  std::vector<float> f16 = storedTables(t, 1, 1, 4, TableStorage::F16, false);
  EXPECT_EQ(f16[0], 1.0f);       // below half an ulp (2^-11)
  EXPECT_EQ(f16[1], 65504.0f);   // the largest finite f16
  EXPECT_TRUE(std::isinf(f16[2]));
  EXPECT_EQ(f16[3], 1.0f + 1.0f / 512);
  std::vector<float> bf = storedTables(t, 1, 1, 4, TableStorage::BF16, false);
  EXPECT_EQ(bf[3], 1.0f);        // bf16 keeps 8 significant bits: 2^-9 is a quarter ulp at 1
  EXPECT_EQ(bf[2], 999424.0f);   // 1e6 to 8 significant bits
  EXPECT_EQ(storedTables(t, 1, 1, 4, TableStorage::F32, false), t);
  // Ties to even, subnormals, the overflow threshold.
  std::vector<float> u = {1.0f + 3.0f / 2048, 65519.0f, 65520.0f, 3e-8f, -2.5e-7f};
  std::vector<float> g = storedTables(u, 1, 1, 5, TableStorage::F16, false);
  EXPECT_EQ(g[0], 1.0f + 2.0f / 1024); // 1.5 ulp: the tie goes to the even neighbour
  EXPECT_EQ(g[1], 65504.0f);
  EXPECT_TRUE(std::isinf(g[2]));
  EXPECT_EQ(g[3], std::ldexp(1.0f, -24)); // nearest subnormal (2^-24 ~ 5.96e-8)
  EXPECT_EQ(g[4], -4 * std::ldexp(1.0f, -24));
}

} // namespace
