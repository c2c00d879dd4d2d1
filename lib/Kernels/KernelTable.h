//===- KernelTable.h - LutKernels internal dispatch table -------*- C++ -*-===//
//
// The argument blocks and the per-ISA table of kernel entry points behind the
// flat C ABI of lut-c/Kernels.h. Internal to lib/Kernels: Dispatch.cpp fills
// the argument block of a public call and calls through the table of the
// selected ISA; each ISA translation unit (Scalar.cpp, X86Avx2.cpp, ...)
// provides one table.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_KERNELS_KERNELTABLE_H
#define LUT_LIB_KERNELS_KERNELTABLE_H

#include <stdint.h>

namespace lutk {

/// Table element types and code types, the indices of KernelTable::gather.
enum TableType { kTabF32 = 0, kTabF16, kTabBF16, kTabI8, kNumTableTypes };
enum CodeType { kCodeU8 = 0, kCodeU16, kCodeI32, kNumCodeTypes };
/// Projection kinds, the index of KernelTable::encode.
enum ProjKind { kProjRawF32 = 0, kProjPackedF32, kProjPackedBF16, kNumProjKinds };

/// The arguments of one gather_sum call (see lutk_gather_sum_i8_u8).
struct GatherArgs {
  const void *codes;
  int64_t codesStride;
  const void *tables;
  int64_t h, tableStride, rowStride;
  const float *scales; // i8 only
  int64_t scalesStride;
  const float *weights;
  int64_t weightsStride;
  const float *bias;
  float *y;
  int64_t yStride, n, m;
};

/// The arguments of one lsh_encode call (see lutk_lsh_encode_f32_u8).
struct EncodeArgs {
  const float *x;
  int64_t xStride;
  const void *proj;   // raw f32 [d, h*k], packed f32 or packed bf16
  int64_t projStride; // raw only
  const float *bias;
  int64_t d, h, k;
  void *codes;
  int64_t codesStride, n;
  CodeType codeType;
};

/// The arguments of one thermometer call (see lutk_thermometer_f32).
struct ThermoArgs {
  const float *x;
  int64_t xStride;
  const float *thresholds;
  int64_t thresholdsStride, d, b;
  uint8_t *bits;
  int64_t bitsStride, n;
};

/// Mapping element types, the index of KernelTable::lut.
enum MapType { kMapI32 = 0, kMapI64, kNumMapTypes };

/// The LUT-layer kernel's block of tokens, and the transposed bits of a
/// block it keeps on its stack (inputs * kLutBlockTokens bytes); a layer
/// with more inputs needs LutArgs::scratch of that size. A call of at least
/// kLutWideTokens tokens with a scratch buffer of inputs * kLutWideTokens
/// bytes uses blocks of that many tokens.
constexpr int64_t kLutBlockTokens = 32;
constexpr int64_t kLutWideTokens = 128;
constexpr int64_t kLutStackBytes = 64 * 1024;

/// The arguments of one LUT-layer call (see lutk_lut_f32_m32).
struct LutArgs {
  const uint8_t *bits;
  int64_t bitsStride, inputs;
  const void *mapping; // int32_t or int64_t [l, fanIn]
  int64_t mappingStride, fanIn;
  const float *tables;
  int64_t tableStride;
  float *y;
  int64_t yStride, n, l;
  /// Null, or a 64-byte aligned buffer for the transposed bits (the
  /// dispatcher allocates it): inputs * kLutWideTokens bytes when n >=
  /// kLutWideTokens, else inputs * kLutBlockTokens. Without one, a layer
  /// too wide for the stack block goes token by token.
  uint8_t *scratch = nullptr;
};

using GatherFn = void (*)(const GatherArgs &);
using EncodeFn = void (*)(const EncodeArgs &);
using ThermoFn = void (*)(const ThermoArgs &);
using LutFn = void (*)(const LutArgs &);

/// The kernels of one ISA path.
struct KernelTable {
  const char *name;
  GatherFn gather[kNumTableTypes][kNumCodeTypes];
  EncodeFn encode[kNumProjKinds];
  ThermoFn thermometer;
  LutFn lut[kNumMapTypes];
};

/// Packed-projection geometry shared by Pack.cpp and the encode kernels.
constexpr int kPanelCols = 64;
inline int64_t panelGroups(int64_t k) { return kPanelCols / k; }

// The tables of each path; a path's function exists only where it is built.
const KernelTable &scalarTable();
#if defined(__x86_64__)
const KernelTable &avx2Table();
const KernelTable &avx512Table();
const KernelTable &avx512Bf16Table();
/// The vdpbf16ps packed-bf16 encode kernel (X86Avx512Bf16.cpp).
void encodePackedBf16Avx512Bf16(const EncodeArgs &a);
#endif
#if defined(__aarch64__)
const KernelTable &neonTable();
#endif

} // namespace lutk

#endif // LUT_LIB_KERNELS_KERNELTABLE_H
