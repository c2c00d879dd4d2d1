//===- TableStorage.cpp - tables as lut-pack-tables stores them -----------===//
#include "lut/Fit/TableStorage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lut::fit {

namespace {

/// `v` rounded to the nearest bfloat16 (ties to even), as a float.
float roundBF16(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  if ((b & 0x7fffffffu) > 0x7f800000u)
    return v; // NaN
  b = (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
  std::memcpy(&v, &b, 4);
  return v;
}

/// `v` rounded to the nearest IEEE binary16 (ties to even; subnormals
/// below 2^-14; infinity from 65520 up), as a float. Scaling by powers of
/// two is exact, so nearbyint (round-to-nearest-even) does the rounding.
float roundF16(float v) {
  if (!std::isfinite(v) || v == 0.0f)
    return v;
  int exp;
  std::frexp(v, &exp); // |v| = m * 2^exp, m in [0.5, 1)
  float ulp = std::ldexp(1.0f, std::max(exp - 1, -14) - 10);
  float r = std::nearbyint(v / ulp) * ulp;
  return std::fabs(r) > 65504.0f ? std::copysign(INFINITY, v) : r;
}

} // namespace

std::vector<float> i8Scales(const std::vector<float> &t, int64_t h, int64_t r, int64_t m,
                            bool perTable) {
  std::vector<float> s(perTable ? h * m : m, 0.0f);
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < r; ++j)
      for (int64_t c = 0; c < m; ++c) {
        float &sc = s[perTable ? i * m + c : c];
        sc = std::max(sc, std::fabs(t[(i * r + j) * m + c]));
      }
  for (float &sc : s)
    sc = sc > 0 && std::isfinite(sc) ? sc / 127.0f : 1.0f;
  return s;
}

int8_t quantizeI8(float v, float scale) {
  float q = std::nearbyint(v / scale);
  return (int8_t)std::clamp(std::isfinite(q) ? q : 0.0f, -127.0f, 127.0f);
}

std::vector<float> storedTables(const std::vector<float> &t, int64_t h, int64_t r, int64_t m,
                                TableStorage storage, bool perTable) {
  std::vector<float> out(t.size());
  switch (storage) {
  case TableStorage::F32:
    return t;
  case TableStorage::F16:
    for (size_t e = 0; e < t.size(); ++e)
      out[e] = roundF16(t[e]);
    return out;
  case TableStorage::BF16:
    for (size_t e = 0; e < t.size(); ++e)
      out[e] = roundBF16(t[e]);
    return out;
  case TableStorage::I8: {
    std::vector<float> s = i8Scales(t, h, r, m, perTable);
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < r; ++j)
        for (int64_t c = 0; c < m; ++c) {
          int64_t e = (i * r + j) * m + c;
          float sc = s[perTable ? i * m + c : c];
          out[e] = sc * (float)quantizeI8(t[e], sc);
        }
    return out;
  }
  }
  return t;
}

} // namespace lut::fit
