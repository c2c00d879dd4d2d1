//===- KernelsTestUtil.h - helpers for the LutKernels tests -----*- C++ -*-===//
//
// Random data, guarded buffers (a PROT_NONE page right after the data, so a
// kernel reading or writing one element too far faults), an ISA fixture
// (every path this CPU has), and bf16/f16 conversions for the references.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_UNITTESTS_KERNELSTESTUTIL_H
#define LUT_UNITTESTS_KERNELSTESTUTIL_H

#include "lut-c/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace lutk_test {

/// `count` elements of T whose last element ends right before a PROT_NONE
/// page (and whose first element is therefore not 64-byte aligned in
/// general).
template <class T> class Guarded {
public:
  explicit Guarded(size_t count) : count_(count) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t bytes = count * sizeof(T);
    size_t dataPages = (bytes + page - 1) / page;
    size_ = (dataPages + 1) * page;
    base_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED)
      abort();
    char *guard = static_cast<char *>(base_) + dataPages * page;
    mprotect(guard, page, PROT_NONE);
    data_ = reinterpret_cast<T *>(guard - bytes);
  }
  ~Guarded() { munmap(base_, size_); }
  Guarded(const Guarded &) = delete;
  Guarded &operator=(const Guarded &) = delete;
  T *data() { return data_; }
  const T *data() const { return data_; }
  size_t size() const { return count_; }
  T &operator[](size_t i) { return data_[i]; }
  const T &operator[](size_t i) const { return data_[i]; }

private:
  size_t count_, size_;
  void *base_;
  T *data_;
};

inline float bf16ToF32(uint16_t b) {
  uint32_t u = (uint32_t)b << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// Round to nearest even (finite inputs).
inline uint16_t f32ToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

inline float f16ToF32(uint16_t h) {
  int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float v = exp == 0 ? std::ldexp((float)man, -24)
                     : exp == 31 ? (man ? NAN : INFINITY)
                                 : std::ldexp((float)(man | 0x400), exp - 25);
  return (h & 0x8000) ? -v : v;
}

/// f32 -> f16 bits for a value that is exactly an f16 (zero, subnormal or
/// normal).
inline uint16_t f16FromExact(float f) {
  uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  float a = std::fabs(f);
  if (a < 6.103515625e-05f) // subnormal: a = man * 2^-24
    return (uint16_t)(sign | (uint16_t)(a * 16777216.0f));
  int e;
  float m = std::frexp(a, &e); // a = m * 2^e, m in [0.5, 1)
  return (uint16_t)(sign | (e + 14) << 10 | (uint16_t)((m * 2 - 1) * 1024));
}

/// A cheap deterministic hash (splitmix64) for bulk test data.
inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// The paths of lut-c/Kernels.h; tests run on those this CPU has.
inline std::vector<std::string> availableIsas() {
  std::vector<std::string> out;
  for (const char *n : {"scalar", "avx2", "avx512", "avx512bf16", "neon"})
    if (lutk_isa_available(n))
      out.push_back(n);
  return out;
}

/// Selects the parameter's path for the test, and the default one after.
class IsaTest : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override { ASSERT_EQ(lutk_force_isa(GetParam().c_str()), 1); }
  void TearDown() override { lutk_force_isa(nullptr); }

  /// Runs f() on the scalar path and restores the test's path.
  template <class F> void onScalar(F f) {
    ASSERT_EQ(lutk_force_isa("scalar"), 1);
    f();
    ASSERT_EQ(lutk_force_isa(GetParam().c_str()), 1);
  }
};

inline std::string isaName(const ::testing::TestParamInfo<std::string> &info) {
  return info.param;
}

/// Bitwise equality of floats (NaN-safe), reporting the first difference.
inline ::testing::AssertionResult sameBits(const float *a, const float *b, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0)
      return ::testing::AssertionFailure()
             << "element " << i << ": " << a[i] << " vs " << b[i];
  return ::testing::AssertionSuccess();
}

} // namespace lutk_test

#endif // LUT_UNITTESTS_KERNELSTESTUTIL_H
