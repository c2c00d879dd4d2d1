//===- X86Avx2.cpp - the AVX2 path of LutKernels (x86-64) -----------------===//
//
// AVX2 + FMA + F16C, 256-bit vectors (Haswell, Zen 1 and later). Compiled
// with __attribute__((target)) on every function, so the archive runs on
// any x86-64 CPU; Dispatch.cpp selects it only where cpuid reports those
// features.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "KernelTable.h"

#include <immintrin.h>

namespace lutk {
namespace {

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#include "Common.inc"

struct Avx2 : PartialOps<Avx2, __m256, __m256i>, EmulatedBf16<Avx2, __m256> {
  static constexpr int L = 8, L16 = 16;
  // 16 ymm registers: 8 gather accumulators; a 6 x 2 encode block (the
  // classic 6x16 FMA kernel: 12 accumulators, 2 panel loads, 1 broadcast).
  static constexpr int kGatherNV = 8, kGatherNV16 = 8, kEncMR = 6, kEncNV = 2;
  using VF = __m256;
  using VI = __m256i;

  static LUTK_INLINE VF zero() { return _mm256_setzero_ps(); }
  static LUTK_INLINE VF set1(float v) { return _mm256_set1_ps(v); }
  static LUTK_INLINE VF load(const float *p) { return _mm256_loadu_ps(p); }
  static LUTK_INLINE void store(float *p, VF v) { _mm256_storeu_ps(p, v); }
  static LUTK_INLINE VF add(VF a, VF b) { return _mm256_add_ps(a, b); }
  static LUTK_INLINE VF mul(VF a, VF b) { return _mm256_mul_ps(a, b); }
  static LUTK_INLINE VF fma(VF a, VF b, VF c) { return _mm256_fmadd_ps(a, b, c); }
  static LUTK_INLINE VF loadcvt(TF32, const float *p) { return load(p); }
  static LUTK_INLINE VF loadcvt(TF16, const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
  }
  static LUTK_INLINE VF loadcvt(TBF16, const uint16_t *p) {
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
  }
  static LUTK_INLINE VF loadcvt(TI8, const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
  }
  static LUTK_INLINE VI izero() { return _mm256_setzero_si256(); }
  static LUTK_INLINE VI iaddI8(VI acc, const int8_t *p) {
    return _mm256_add_epi16(acc, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p)));
  }
  template <int P> static LUTK_INLINE VF i16ToF32(VI v) {
    __m128i half = P == 0 ? _mm256_castsi256_si128(v) : _mm256_extracti128_si256(v, 1);
    return _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(half));
  }
  static LUTK_INLINE uint32_t gtZeroBits(VF v) {
    return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(v, zero(), _CMP_GT_OQ));
  }
  static LUTK_INLINE PB splitPairs(const uint16_t *p) {
    __m256i w = _mm256_loadu_si256((const __m256i *)p);
    __m256i odd = _mm256_and_si256(w, _mm256_set1_epi32((int)0xffff0000u));
    return {_mm256_castsi256_ps(_mm256_slli_epi32(w, 16)), _mm256_castsi256_ps(odd)};
  }
};

#include "Encode.inc"
#include "Gather.inc"
#include "Weightless.inc"
#include "Table.inc"

constexpr KernelTable kTable = makeTable<Avx2>("avx2");

#pragma clang attribute pop

} // namespace

const KernelTable &avx2Table() { return kTable; }

} // namespace lutk
