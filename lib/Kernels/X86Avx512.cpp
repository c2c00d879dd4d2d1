//===- X86Avx512.cpp - the AVX-512 path of LutKernels (x86-64) ------------===//
//
// AVX-512 F/BW/VL/DQ, 512-bit vectors (Skylake-SP, Ice Lake, Zen 4 and
// later). The bf16 projection is emulated with f32 FMAs here; on CPUs with
// AVX512_BF16, Dispatch.cpp uses the avx512bf16 table (X86Avx512Bf16.cpp).
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "KernelTable.h"

#include <immintrin.h>

namespace lutk {
namespace {

#pragma clang attribute push(                                                  \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,f16c"))),    \
    apply_to = function)

#include "Common.inc"
#include "IsaAvx512.inc"
#include "Encode.inc"
#include "Gather.inc"
#include "Weightless.inc"
#include "Table.inc"

constexpr KernelTable kTable = makeTable<Avx512>("avx512");

/// The avx512bf16 table: this one with the vdpbf16ps bf16 projection.
constexpr KernelTable makeBf16Table() {
  KernelTable t = makeTable<Avx512>("avx512bf16");
  t.encode[kProjPackedBF16] = encodePackedBf16Avx512Bf16;
  return t;
}
constexpr KernelTable kTableBf16 = makeBf16Table();

#pragma clang attribute pop

} // namespace

const KernelTable &avx512Table() { return kTable; }
const KernelTable &avx512Bf16Table() { return kTableBf16; }

} // namespace lutk
