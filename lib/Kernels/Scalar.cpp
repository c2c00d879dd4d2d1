//===- Scalar.cpp - the portable scalar path of LutKernels ----------------===//
//
// Plain C++ (one lane per "vector"): the reference every other path is
// tested against, and the path of CPUs without a SIMD path here. It runs
// the same templates as the SIMD paths, so its arithmetic order is theirs.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "KernelTable.h"

#include <math.h>

namespace lutk {
namespace {

#include "Common.inc"

struct Scalar : PartialOps<Scalar, float, int32_t>, EmulatedBf16<Scalar, float> {
  static constexpr int L = 1, L16 = 1;
  static constexpr int kGatherNV = 8, kGatherNV16 = 8, kEncMR = 4, kEncNV = 4;
  using VF = float;
  using VI = int32_t;

  static LUTK_INLINE VF zero() { return 0.0f; }
  static LUTK_INLINE VF set1(float v) { return v; }
  static LUTK_INLINE VF load(const float *p) { return *p; }
  static LUTK_INLINE void store(float *p, VF v) { *p = v; }
  static LUTK_INLINE VF add(VF a, VF b) { return a + b; }
  static LUTK_INLINE VF mul(VF a, VF b) { return a * b; }
  static LUTK_INLINE VF fma(VF a, VF b, VF c) { return fmaf(a, b, c); }
  template <class Tag> static LUTK_INLINE VF loadcvt(Tag tag, const typename Tag::T *p) {
    return toF32(tag, *p);
  }
  static LUTK_INLINE VI izero() { return 0; }
  static LUTK_INLINE VI iaddI8(VI acc, const int8_t *p) { return acc + *p; }
  template <int P> static LUTK_INLINE VF i16ToF32(VI v) { return (float)v; }
  static LUTK_INLINE uint32_t gtZeroBits(VF v) { return v > 0.0f ? 1u : 0u; }
  static LUTK_INLINE PB splitPairs(const uint16_t *p) {
    return {bf16ToF32(p[0]), bf16ToF32(p[1])};
  }
};

#include "Encode.inc"
#include "Gather.inc"
#include "Weightless.inc"
#include "Table.inc"

constexpr KernelTable kTable = makeTable<Scalar>("scalar");

} // namespace

const KernelTable &scalarTable() { return kTable; }

} // namespace lutk
