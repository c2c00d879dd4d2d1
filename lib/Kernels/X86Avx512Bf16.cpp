//===- X86Avx512Bf16.cpp - the avx512bf16 path of LutKernels --------------===//
//
// The avx512 path plus AVX512_BF16 (Cooper Lake, Sapphire Rapids, Zen 4):
// the bf16 projection runs on `vdpbf16ps` (16 lanes x 2 products per
// instruction) and x is rounded with `vcvtne2ps2bf16`. Every other kernel
// of this table is the avx512 one.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "KernelTable.h"

#include <immintrin.h>

namespace lutk {
namespace {

#pragma clang attribute push(                                                            \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma,f16c"))),   \
    apply_to = function)

#include "Common.inc"
#include "IsaAvx512.inc"

struct Avx512Bf16 : Avx512 {
  using PB = __m512i;
  using XB = __m512i;
  static LUTK_INLINE XB xpair(uint32_t u) { return _mm512_set1_epi32((int)u); }
  static LUTK_INLINE PB ppair(const uint16_t *p) { return _mm512_loadu_si512(p); }
  static LUTK_INLINE VF dot2(VF acc, PB p, XB x) {
    return _mm512_dpbf16_ps(acc, (__m512bh)p, (__m512bh)x);
  }
  static LUTK_INLINE void toBf16Pairs(const float *x, int64_t d, uint32_t *out) {
    int64_t e = 0;
    for (; d - e >= 32; e += 32) {
      __m512bh b = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + e + 16), _mm512_loadu_ps(x + e));
      _mm512_storeu_si512(out + e / 2, (__m512i)b);
    }
    lutk::toBf16Pairs(x + e, d - e, out + e / 2);
  }
};

#include "Encode.inc"

} // namespace

void encodePackedBf16Avx512Bf16(const EncodeArgs &a) {
  encodeKernel<Avx512Bf16, PackedBf16Proj<Avx512Bf16>>(a);
}

#pragma clang attribute pop

} // namespace lutk
