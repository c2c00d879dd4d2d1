//===- LshFitTest.cpp - tests of the LookupFFN table fitting --------------===//
#include "lut/Fit/LshFit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace lut::fit;

namespace {

Matrix randn(int64_t r, int64_t c, uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, scale);
  Matrix m(r, c);
  for (float &v : m.data)
    v = g(rng);
  return m;
}

TEST(LshFit, EncodePacksSignBitsLowBitFirst) {
  Matrix x(1, 2);
  x.data = {1.0f, -2.0f};
  Hyperplanes hp;
  hp.projection = Matrix(2, 4);
  // z = [x0, x1, -x0, x0 + x1] = [1, -2, -1, -1]; offsets shift the last to +.
  hp.projection.data = {1, 0, -1, 1, //
                        0, 1, 0, 1};
  hp.offset = {0, 0, 0, 1.5f};
  auto codes = encode(x, hp, /*bits=*/2);
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0], 0b01); // bits (1 > 0, -2 > 0) = (1, 0)
  EXPECT_EQ(codes[1], 0b10); // bits (-1 > 0, 0.5 > 0) = (0, 1)
}

TEST(LshFit, SingleTableIsPerBucketMean) {
  Matrix y(4, 1);
  y.data = {1, 3, 10, 20};
  std::vector<int32_t> codes = {0, 0, 1, 1};
  LshTables t = fitTables(codes, 1, 2, y, 1, 0.0);
  // bias = mean = 8.5; rows = bucket means minus bias.
  EXPECT_FLOAT_EQ(t.bias[0], 8.5f);
  EXPECT_FLOAT_EQ(t.tables[0], 2.0f - 8.5f);
  EXPECT_FLOAT_EQ(t.tables[1], 15.0f - 8.5f);
  // Ridge shrinks toward zero: sum / (count + ridge).
  LshTables r = fitTables(codes, 1, 2, y, 1, 2.0);
  EXPECT_FLOAT_EQ(r.tables[0], 2.0f * (2.0f - 8.5f) / 4.0f);
}

TEST(LshFit, BackfittingRecoversAnAdditiveModel) {
  // y is exactly a sum of H tables indexed by random codes: backfitting must
  // drive the relative error to ~0.
  int64_t n = 4000, h = 4, r = 8, m = 3;
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int32_t> u(0, r - 1);
  std::vector<int32_t> codes(n * h);
  for (auto &c : codes)
    c = u(rng);
  Matrix truth = randn(h * r, m, 2);
  Matrix y(n, m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < h; ++t)
      for (int64_t j = 0; j < m; ++j)
        y.row(i)[j] += truth.row(t * r + codes[i * h + t])[j];
  LshTables t = fitTables(codes, h, r, y, 30, 0.0);
  EXPECT_LT(relativeMse(y, predict(t, codes, n)), 1e-6);
  // One sweep is not enough when the tables are correlated through y's mean,
  // but it already explains most of the variance.
  LshTables one = fitTables(codes, h, r, y, 1, 0.0);
  EXPECT_LT(relativeMse(y, predict(one, codes, n)), 0.2);
}

TEST(LshFit, RelativeMseIsZeroForExactAndOneForTheMean) {
  Matrix y = randn(100, 3, 3);
  EXPECT_DOUBLE_EQ(relativeMse(y, y), 0.0);
  Matrix mean(100, 3);
  auto mu = columnMeans(y);
  for (int64_t i = 0; i < 100; ++i)
    for (int64_t j = 0; j < 3; ++j)
      mean.row(i)[j] = mu[j];
  EXPECT_NEAR(relativeMse(y, mean), 1.0, 1e-6);
}

TEST(LshFit, HiddenHyperplanesRankByImportance) {
  Matrix w1(2, 3), w2(3, 1);
  w1.data = {1, 0, 3, //
             0, 2, 0};
  w2.data = {1, 1, 0.1f};
  std::vector<float> b1 = {0.5f, -0.5f, 7.0f};
  Hyperplanes hp;
  std::string err;
  // importance: unit0 = 1*1, unit1 = 2*1, unit2 = 3*0.1
  ASSERT_TRUE(hiddenHyperplanes(w1, b1, w2, 2, hp, err));
  EXPECT_EQ(hp.projection.data, (std::vector<float>{0, 1, 2, 0}));
  EXPECT_EQ(hp.offset, (std::vector<float>{-0.5f, 0.5f}));
  EXPECT_FALSE(hiddenHyperplanes(w1, b1, w2, 4, hp, err));
  EXPECT_NE(err.find("tables*bits <= d_ff (4 > 3)"), std::string::npos);
}

TEST(LshFit, GatedHyperplanesInterleaveGateAndUp) {
  Matrix wg(1, 3), wu(1, 3), w2(3, 1);
  wg.data = {1, 2, 3};
  wu.data = {4, 5, 6};
  w2.data = {1, 1, 0.01f};
  Hyperplanes hp;
  std::vector<bool> isGate;
  std::string err;
  // importance: unit0 4, unit1 10, unit2 0.18 -> units 1, 0.
  ASSERT_TRUE(gatedHiddenHyperplanes(wg, {0.1f, 0.2f, 0.3f}, wu, {}, w2, 4, hp, isGate, err));
  EXPECT_EQ(hp.projection.data, (std::vector<float>{2, 5, 1, 4}));
  EXPECT_EQ(hp.offset, (std::vector<float>{0.2f, 0, 0.1f, 0}));
  EXPECT_EQ(isGate, (std::vector<bool>{true, false, true, false}));
  EXPECT_FALSE(gatedHiddenHyperplanes(wg, {}, wu, {}, w2, 3, hp, isGate, err));
  EXPECT_FALSE(gatedHiddenHyperplanes(wg, {}, wu, {}, w2, 8, hp, isGate, err));
}

TEST(LshFit, SplitOffsetsMovesOnlyMarkedColumns) {
  Matrix x = randn(2000, 1, 9);
  Hyperplanes hp;
  hp.projection = Matrix(1, 2);
  hp.projection.data = {1, 1};
  hp.offset = {0, 0};
  splitOffsets(hp, x, 0, {false, true});
  EXPECT_EQ(hp.offset[0], 0.0f);
  // The two-means split of max(z, 0) for z ~ N(0, 1) lies inside z > 0.
  EXPECT_LT(hp.offset[1], -0.2f);
  EXPECT_GT(hp.offset[1], -2.0f);
}

TEST(LshFit, HiddenBeatsRandomOnAReluFfn) {
  // A random ReLU FFN: the hidden units' own hyperplanes should fit it
  // better than random ones (the LookupFFN projection observation).
  int64_t n = 6000, d = 16, f = 64, m = 8, h = 8, k = 4;
  Matrix w1 = randn(d, f, 4, 0.5f), w2 = randn(f, m, 5, 0.3f), x = randn(n, d, 6);
  std::vector<float> b1(f, 0.1f);
  Matrix hid;
  matmul(x, w1, hid);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j)
      hid.row(i)[j] = std::max(0.0f, hid.row(i)[j] + b1[j]);
  Matrix y;
  matmul(hid, w2, y);
  Matrix xtr = sliceRows(x, 0, 5000), ytr = sliceRows(y, 0, 5000);
  Matrix xte = sliceRows(x, 5000, n), yte = sliceRows(y, 5000, n);
  auto evalFit = [&](const Hyperplanes &hp) {
    LshTables t = fitTables(encode(xtr, hp, k), h, 1 << k, ytr, 6, 1.0);
    return relativeMse(yte, predict(t, encode(xte, hp, k), xte.rows));
  };
  Hyperplanes hidden;
  std::string err;
  ASSERT_TRUE(hiddenHyperplanes(w1, b1, w2, h * k, hidden, err));
  double eh = evalFit(hidden), er = evalFit(randomHyperplanes(d, h * k, columnMeans(xtr), 7));
  EXPECT_LT(eh, er);
  EXPECT_LT(eh, 0.5);
}

} // namespace
