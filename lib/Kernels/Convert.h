//===- Convert.h - scalar element conversions for LutKernels ----*- C++ -*-===//
//
// Exact f16/bf16 -> f32 conversions, f32 -> bf16 rounding, and the element
// tags the kernel templates are instantiated on. Every function is static
// (internal linkage), so each ISA translation unit gets its own copy and no
// copy compiled for one ISA can be picked by the linker for another.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_KERNELS_CONVERT_H
#define LUT_LIB_KERNELS_CONVERT_H

#include <stdint.h>
#include <string.h>

namespace lutk {

/// Table element tags: `T` is the storage type.
struct TF32 { using T = float; };
struct TF16 { using T = uint16_t; };
struct TBF16 { using T = uint16_t; };
struct TI8 { using T = int8_t; };

static inline float bitsToF32(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline uint32_t f32ToBits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/// bf16 bits -> f32 (exact).
static inline float bf16ToF32(uint16_t b) { return bitsToF32((uint32_t)b << 16); }

/// f32 -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN.
static inline uint16_t f32ToBf16(float f) {
  uint32_t u = f32ToBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t)((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

/// IEEE binary16 bits -> f32 (exact, subnormals, infinities and NaNs too).
static inline float f16ToF32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0x1f)
    return bitsToF32(sign | 0x7f800000u | (man << 13));
  if (exp != 0)
    return bitsToF32(sign | ((exp + 112u) << 23) | (man << 13));
  // Zero or subnormal: man * 2^-24, exact in f32.
  float v = (float)man * (1.0f / 16777216.0f);
  return sign ? -v : v;
}

static inline float toF32(TF32, float v) { return v; }
static inline float toF32(TF16, uint16_t v) { return f16ToF32(v); }
static inline float toF32(TBF16, uint16_t v) { return bf16ToF32(v); }
static inline float toF32(TI8, int8_t v) { return (float)v; }

/// Packs x[0..d) as bf16 pairs: out[q] = bf16(x[2q]) | bf16(x[2q+1]) << 16,
/// with x[d] = 0 when d is odd.
static inline void toBf16Pairs(const float *x, int64_t d, uint32_t *out) {
  for (int64_t q = 0; 2 * q < d; ++q) {
    uint32_t lo = f32ToBf16(x[2 * q]);
    uint32_t hi = 2 * q + 1 < d ? f32ToBf16(x[2 * q + 1]) : 0u;
    out[q] = lo | hi << 16;
  }
}

} // namespace lutk

#endif // LUT_LIB_KERNELS_CONVERT_H
