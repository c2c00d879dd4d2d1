//===- KernelsEncodeTest.cpp - tests of lutk_lsh_encode_* and packing -----===//
//
// lsh_encode on every ISA path of this CPU: the raw and packed f32 kernels
// must give exactly the codes of the documented arithmetic (sequential fmaf
// over d, then + bias, then > 0); the bf16 kernel must agree with a double
// reference on bf16-rounded inputs except where |z| is within f32 rounding
// of 0. Inputs sit right before a PROT_NONE page.
//
//===----------------------------------------------------------------------===//
#include "KernelsTestUtil.h"

#include <algorithm>

using namespace lutk_test;

namespace {

enum CodeT { kU8, kU16, kI32 };
enum ProjT { kRaw, kPackedF32, kPackedBF16 };

struct Case {
  int64_t n, d, h, k;
};

struct Encode {
  Case c;
  bool bias;
  int64_t hk, xs, ps, cs;
  std::vector<float> x, p, b;

  Encode(Case cc, bool withBias, std::mt19937 &rng) : c(cc), bias(withBias) {
    hk = c.h * c.k;
    xs = c.d + 2;
    ps = hk + 3;
    cs = c.h + 1;
    std::normal_distribution<float> normal(0.0f, 1.0f);
    x.resize(c.n * c.d);
    p.resize(c.d * hk);
    b.resize(hk);
    for (auto *v : {&x, &p, &b})
      for (float &f : *v)
        f = normal(rng);
  }

  /// The documented f32 arithmetic: bit j of code t for token i.
  bool bitReplica(int64_t i, int64_t col) const {
    float acc = 0.0f;
    for (int64_t e = 0; e < c.d; ++e)
      acc = std::fmaf(x[i * c.d + e], p[e * hk + col], acc);
    float z = bias ? acc + b[col] : acc;
    return z > 0;
  }

  /// z in double on bf16-rounded x and P, and its f32 rounding bound.
  void zBf16(int64_t i, int64_t col, double &z, double &bound) const {
    double sum = 0, mag = 0;
    for (int64_t e = 0; e < c.d; ++e) {
      double t = (double)bf16ToF32(f32ToBf16(x[i * c.d + e])) *
                 bf16ToF32(f32ToBf16(p[e * hk + col]));
      sum += t;
      mag += std::fabs(t);
    }
    z = sum + (bias ? b[col] : 0.0);
    bound = (c.d + 2) * std::ldexp(mag + std::fabs(z), -23) + 1e-30;
  }

  /// Runs one kernel; returns codes [n, h] as int64 (padding checked).
  std::vector<int64_t> run(ProjT proj, CodeT code, int64_t t0 = 0) const {
    Guarded<float> gx((c.n - 1) * xs + c.d), gp((c.d - 1) * ps + hk), gb(hk);
    for (int64_t i = 0; i < c.n; ++i)
      std::copy(&x[i * c.d], &x[i * c.d] + c.d, &gx[i * xs]);
    for (int64_t e = 0; e < c.d; ++e)
      std::copy(&p[e * hk], &p[e * hk] + hk, &gp[e * ps]);
    std::copy(b.begin(), b.end(), gb.data());
    // A tile of codes [t0, h): projection, bias and codes offset to t0.
    int64_t h = c.h - t0, g = lutk_projection_panel_groups(c.k);
    const float *bp = bias ? gb.data() + t0 * c.k : nullptr;
    Guarded<float> pf(lutk_packed_projection_size_f32(c.d, c.h, c.k));
    Guarded<uint16_t> pb(lutk_packed_projection_size_bf16(c.d, c.h, c.k));
    lutk_pack_projection_f32(gp.data(), ps, c.d, c.h, c.k, pf.data());
    lutk_pack_projection_bf16(gp.data(), ps, c.d, c.h, c.k, pb.data());
    const float *pfTile = pf.data() + t0 / g * lutk_packed_panel_elems_f32(c.d);
    const uint16_t *pbTile = pb.data() + t0 / g * lutk_packed_panel_elems_bf16(c.d);
    size_t codeElems = (size_t)((c.n - 1) * cs + c.h);
    Guarded<uint8_t> c8(codeElems);
    Guarded<uint16_t> c16(codeElems);
    Guarded<int32_t> c32(codeElems);
    std::fill(c8.data(), c8.data() + codeElems, 0xee);
    std::fill(c16.data(), c16.data() + codeElems, 0xeeee);
    std::fill(c32.data(), c32.data() + codeElems, -7);
#define LUTK_CALL(CODES)                                                                     \
  switch (proj) {                                                                            \
  case kRaw:                                                                                 \
    CALL(lutk_lsh_encode_f32, CODES, gp.data() + t0 * c.k, ps);                              \
    break;                                                                                   \
  case kPackedF32: CALL(lutk_lsh_encode_packed_f32, CODES, pfTile); break;                   \
  case kPackedBF16: CALL(lutk_lsh_encode_packed_bf16, CODES, pbTile); break;                 \
  }
#define CALL(FN, CODES, ...)                                                                 \
  FN##CODES(gx.data(), xs, __VA_ARGS__, bp, c.d, h, c.k, out + t0, cs, c.n)
    std::vector<int64_t> codes(c.n * c.h, -1);
    switch (code) {
    case kU8: {
      uint8_t *out = c8.data();
      LUTK_CALL(_u8)
      break;
    }
    case kU16: {
      uint16_t *out = c16.data();
      LUTK_CALL(_u16)
      break;
    }
    case kI32: {
      int32_t *out = c32.data();
      LUTK_CALL(_i32)
      break;
    }
    }
#undef CALL
#undef LUTK_CALL
    for (int64_t i = 0; i < c.n; ++i)
      for (int64_t t = 0; t < c.h; ++t) {
        int64_t e = i * cs + t;
        int64_t v = code == kU8 ? c8[e] : code == kU16 ? c16[e] : c32[e];
        int64_t untouched = code == kU8 ? 0xee : code == kU16 ? 0xeeee : -7;
        if (t < t0)
          EXPECT_EQ(v, untouched) << "code before the tile written";
        else
          codes[i * c.h + t] = v;
      }
    for (int64_t i = 0; i + 1 < c.n; ++i) { // the stride padding
      int64_t e = i * cs + c.h;
      EXPECT_EQ(code == kU8 ? c8[e] : code == kU16 ? c16[e] : c32[e],
                code == kU8 ? 0xee : code == kU16 ? 0xeeee : -7);
    }
    return codes;
  }
};

const Case kCases[] = {
    {1, 1, 1, 1},    {1, 768, 32, 8}, {2, 3, 5, 3},    {5, 17, 9, 5},   {6, 64, 32, 8},
    {7, 77, 33, 7},  {13, 64, 4, 16}, {12, 2, 7, 13},  {3, 40, 9, 9},   {4, 33, 20, 4},
    {9, 100, 3, 2},  {1, 5, 64, 1},   {8, 1025, 5, 11}, {6, 16, 17, 15}, {2, 1100, 2, 12},
};

using KernelsEncode = IsaTest;

TEST_P(KernelsEncode, F32CodesMatchTheDocumentedArithmetic) {
  std::mt19937 rng(11);
  for (const Case &c : kCases)
    for (bool bias : {false, true}) {
      Encode enc(c, bias, rng);
      for (CodeT code : {kU8, kU16, kI32}) {
        if (code == kU8 && c.k > 8)
          continue;
        for (ProjT proj : {kRaw, kPackedF32}) {
          SCOPED_TRACE(testing::Message() << "n=" << c.n << " d=" << c.d << " h=" << c.h
                                          << " k=" << c.k << " bias=" << bias << " code="
                                          << code << " proj=" << proj);
          std::vector<int64_t> got = enc.run(proj, code);
          for (int64_t i = 0; i < c.n; ++i)
            for (int64_t t = 0; t < c.h; ++t) {
              int64_t want = 0;
              for (int64_t j = 0; j < c.k; ++j)
                want |= (int64_t)enc.bitReplica(i, t * c.k + j) << j;
              ASSERT_EQ(got[i * c.h + t], want) << "token " << i << " code " << t;
            }
        }
      }
    }
}

TEST_P(KernelsEncode, Bf16CodesMatchUpToRounding) {
  std::mt19937 rng(5);
  for (const Case &c : kCases)
    for (bool bias : {false, true}) {
      Encode enc(c, bias, rng);
      SCOPED_TRACE(testing::Message() << "n=" << c.n << " d=" << c.d << " h=" << c.h
                                      << " k=" << c.k << " bias=" << bias);
      std::vector<int64_t> got = enc.run(kPackedBF16, c.k > 8 ? kU16 : kU8);
      for (int64_t i = 0; i < c.n; ++i)
        for (int64_t col = 0; col < enc.hk; ++col) {
          double z, bound;
          enc.zBf16(i, col, z, bound);
          bool bit = got[i * c.h + col / c.k] >> (col % c.k) & 1;
          if (std::fabs(z) > bound)
            ASSERT_EQ(bit, z > 0) << "token " << i << " column " << col << " z=" << z;
        }
    }
}

/// Tiles over codes: raw at any first code, packed at panel boundaries.
TEST_P(KernelsEncode, TilesOverCodes) {
  std::mt19937 rng(9);
  for (const Case &c : {Case{5, 50, 40, 5}, Case{7, 31, 33, 8}, Case{3, 9, 70, 3}}) {
    Encode enc(c, true, rng);
    int64_t g = lutk_projection_panel_groups(c.k);
    for (ProjT proj : {kRaw, kPackedF32, kPackedBF16}) {
      std::vector<int64_t> full = enc.run(proj, kI32);
      for (int64_t t0 : {(int64_t)1, g, 2 * g}) {
        if (proj != kRaw && t0 % g)
          continue;
        std::vector<int64_t> tile = enc.run(proj, kI32, t0);
        for (int64_t i = 0; i < c.n; ++i)
          for (int64_t t = t0; t < c.h; ++t)
            ASSERT_EQ(tile[i * c.h + t], full[i * c.h + t]) << proj << " t0=" << t0;
      }
    }
  }
}

/// Every path gives the scalar path's f32 codes, and bf16 codes that differ
/// from the scalar path's in at most a handful of near-zero bits.
TEST_P(KernelsEncode, MatchesScalarPath) {
  std::mt19937 rng(13);
  Encode enc({37, 768, 32, 8}, true, rng);
  for (ProjT proj : {kRaw, kPackedF32, kPackedBF16}) {
    std::vector<int64_t> got = enc.run(proj, kU8), ref;
    onScalar([&] { ref = enc.run(proj, kU8); });
    int64_t flips = 0;
    for (size_t e = 0; e < got.size(); ++e)
      flips += __builtin_popcountll(got[e] ^ ref[e]);
    if (proj == kPackedBF16)
      EXPECT_LE(flips, 3) << "bits out of " << got.size() * 8;
    else
      EXPECT_EQ(flips, 0) << "proj " << proj;
  }
}

INSTANTIATE_TEST_SUITE_P(LutKernels, KernelsEncode, ::testing::ValuesIn(availableIsas()), isaName);

/// The documented packed layouts, element by element.
TEST(KernelsPack, Layout) {
  const int64_t d = 3, h = 5, k = 13, ps = 70, hk = h * k; // G = 4: two panels
  ASSERT_EQ(lutk_projection_panel_groups(k), 4);
  ASSERT_EQ(lutk_projection_panel_groups(8), 8);
  ASSERT_EQ(lutk_projection_panel_groups(16), 4);
  ASSERT_EQ(lutk_packed_projection_size_f32(d, h, k), 2 * d * 64);
  ASSERT_EQ(lutk_packed_projection_size_bf16(d, h, k), 2 * 2 * 128);
  std::vector<float> p(d * ps);
  for (size_t e = 0; e < p.size(); ++e)
    p[e] = 1.0f + (float)e; // exact in bf16 for e < 256
  std::vector<float> pf(lutk_packed_projection_size_f32(d, h, k), -1.0f);
  std::vector<uint16_t> pb(lutk_packed_projection_size_bf16(d, h, k), 0xffff);
  lutk_pack_projection_f32(p.data(), ps, d, h, k, pf.data());
  lutk_pack_projection_bf16(p.data(), ps, d, h, k, pb.data());
  for (int64_t panel = 0; panel < 2; ++panel)
    for (int64_t e = 0; e < 4; ++e)
      for (int64_t c = 0; c < 64; ++c) {
        int64_t col = panel * 4 * k + c;
        bool used = c < (panel == 0 ? 4 : 1) * k && col < hk;
        float want = used && e < d ? p[e * ps + col] : 0.0f;
        if (e < d)
          EXPECT_EQ(pf[(panel * d + e) * 64 + c], want) << panel << "," << e << "," << c;
        EXPECT_EQ(bf16ToF32(pb[((panel * 2 + e / 2) * 64 + c) * 2 + e % 2]), want)
            << panel << "," << e << "," << c;
      }
}

} // namespace
