//===- Neon.cpp - the NEON path of LutKernels (AArch64) -------------------===//
//
// AArch64 Advanced SIMD, 128-bit vectors (every AArch64 CPU: NEON is part
// of the base architecture, so this path needs no run-time detection).
// 32 vector registers: 16 gather accumulators; a 6 x 4 encode block.
// bf16 pair products are emulated with FMAs (BFDOT is an optional v8.6
// extension, not used here).
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "KernelTable.h"

#include <arm_neon.h>

namespace lutk {
namespace {

#include "Common.inc"

struct Neon : PartialOps<Neon, float32x4_t, int16x8_t>, EmulatedBf16<Neon, float32x4_t> {
  static constexpr int L = 4, L16 = 8;
  static constexpr int kGatherNV = 16, kGatherNV16 = 16, kEncMR = 6, kEncNV = 4;
  using VF = float32x4_t;
  using VI = int16x8_t;

  static LUTK_INLINE VF zero() { return vdupq_n_f32(0.0f); }
  static LUTK_INLINE VF set1(float v) { return vdupq_n_f32(v); }
  static LUTK_INLINE VF load(const float *p) { return vld1q_f32(p); }
  static LUTK_INLINE void store(float *p, VF v) { vst1q_f32(p, v); }
  static LUTK_INLINE VF add(VF a, VF b) { return vaddq_f32(a, b); }
  static LUTK_INLINE VF mul(VF a, VF b) { return vmulq_f32(a, b); }
  static LUTK_INLINE VF fma(VF a, VF b, VF c) { return vfmaq_f32(c, a, b); }
  static LUTK_INLINE VF loadcvt(TF32, const float *p) { return load(p); }
  static LUTK_INLINE VF loadcvt(TF16, const uint16_t *p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
  }
  static LUTK_INLINE VF loadcvt(TBF16, const uint16_t *p) {
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
  }
  static LUTK_INLINE VF loadcvt(TI8, const int8_t *p) {
    int32_t w;
    memcpy(&w, p, sizeof w);
    int16x8_t s = vmovl_s8(vreinterpret_s8_s32(vdup_n_s32(w)));
    return vcvtq_f32_s32(vmovl_s16(vget_low_s16(s)));
  }
  static LUTK_INLINE VI izero() { return vdupq_n_s16(0); }
  static LUTK_INLINE VI iaddI8(VI acc, const int8_t *p) { return vaddw_s8(acc, vld1_s8(p)); }
  template <int P> static LUTK_INLINE VF i16ToF32(VI v) {
    int32x4_t w = P == 0 ? vmovl_s16(vget_low_s16(v)) : vmovl_high_s16(v);
    return vcvtq_f32_s32(w);
  }
  static LUTK_INLINE uint32_t gtZeroBits(VF v) {
    const uint32_t weights[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(vcgtq_f32(v, zero()), vld1q_u32(weights)));
  }
  static LUTK_INLINE PB splitPairs(const uint16_t *p) {
    uint32x4_t w = vreinterpretq_u32_u16(vld1q_u16(p));
    return {vreinterpretq_f32_u32(vshlq_n_u32(w, 16)),
            vreinterpretq_f32_u32(vandq_u32(w, vdupq_n_u32(0xffff0000u)))};
  }
};

#include "Encode.inc"
#include "Gather.inc"
#include "Weightless.inc"
#include "Table.inc"

constexpr KernelTable kTable = makeTable<Neon>("neon");

} // namespace

const KernelTable &neonTable() { return kTable; }

} // namespace lutk
