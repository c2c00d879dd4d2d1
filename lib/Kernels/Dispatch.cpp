//===- Dispatch.cpp - CPU dispatch and the C ABI of LutKernels ------------===//
//
// The public functions of lut-c/Kernels.h (except packing, Pack.cpp): each
// fills an argument block and calls the kernel of the selected ISA's table.
// The selected table is the library's only mutable global: chosen on first
// use (cpuid on x86-64, NEON on AArch64, or $LUTK_FORCE_ISA), published with
// an atomic store, re-chosen by lutk_force_isa(). Large calls are split
// over threads (Threads.h): by tokens, or by blocks of output columns when
// there are fewer tokens than twice the threads.
//
//===----------------------------------------------------------------------===//
#include "lut-c/Kernels.h"

#include "KernelTable.h"
#include "Threads.h"

#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

using namespace lutk;

namespace {

#if defined(__x86_64__)
struct X86Features {
  bool avx2 = false, avx512 = false, avx512bf16 = false;
};

X86Features detectX86() {
  X86Features f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return f;
  bool fma = c >> 12 & 1, osxsave = c >> 27 & 1, avx = c >> 28 & 1, f16c = c >> 29 & 1;
  if (!osxsave || !avx || __get_cpuid_max(0, nullptr) < 7)
    return f;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  bool ymmState = (lo & 0x6u) == 0x6u, zmmState = (lo & 0xe6u) == 0xe6u;
  __cpuid_count(7, 0, a, b, c, d);
  unsigned maxSubleaf = a;
  f.avx2 = ymmState && (b >> 5 & 1) && fma && f16c;
  // F (16), DQ (17), BW (30), VL (31).
  f.avx512 = f.avx2 && zmmState && (b >> 16 & 1) && (b >> 17 & 1) && (b >> 30 & 1) &&
             (b >> 31 & 1);
  if (f.avx512 && maxSubleaf >= 1) {
    __cpuid_count(7, 1, a, b, c, d);
    f.avx512bf16 = a >> 5 & 1;
  }
  return f;
}
#endif

struct Path {
  const char *name;
  const KernelTable &(*table)();
  bool available;
};

/// The paths built for this architecture, best first, with availability.
int paths(Path *out) {
  int n = 0;
#if defined(__x86_64__)
  X86Features f = detectX86();
  out[n++] = {"avx512bf16", avx512Bf16Table, f.avx512bf16};
  out[n++] = {"avx512", avx512Table, f.avx512};
  out[n++] = {"avx2", avx2Table, f.avx2};
#elif defined(__aarch64__)
  out[n++] = {"neon", neonTable, true};
#endif
  out[n++] = {"scalar", scalarTable, true};
  return n;
}

/// The table of path `name`, or the best one if `name` is NULL or empty;
/// nullptr if `name` is unknown or unavailable.
const KernelTable *findTable(const char *name) {
  Path list[8];
  int n = paths(list);
  for (int i = 0; i < n; ++i) {
    if (!list[i].available)
      continue;
    if (!name || !*name || strcmp(name, list[i].name) == 0)
      return &list[i].table();
  }
  return nullptr;
}

const KernelTable *gTable = nullptr;

const KernelTable &table() {
  const KernelTable *t = __atomic_load_n(&gTable, __ATOMIC_ACQUIRE);
  if (__builtin_expect(t != nullptr, 1))
    return *t;
  t = findTable(getenv("LUTK_FORCE_ISA"));
  if (!t)
    t = findTable(nullptr);
  __atomic_store_n(&gTable, t, __ATOMIC_RELEASE);
  return *t;
}

/// Splitting thresholds: below them a call is too short to pay for waking
/// the other threads (a few microseconds).
constexpr int64_t kMinParallelTableBytes = 1 << 20; // gather: table bytes read
constexpr int64_t kMinParallelFlops = 4 << 20;        // encode: 2*n*d*h*k
constexpr int64_t kColumnBlock = 64;                  // gather: columns per item
constexpr int64_t kTokenBlock = 8;                    // encode: tokens per item

int64_t codeBytes(CodeType c) { return c == kCodeU8 ? 1 : c == kCodeU16 ? 2 : 4; }
int64_t tableBytes(TableType t) { return t == kTabF32 ? 4 : t == kTabI8 ? 1 : 2; }

struct GatherSplit {
  GatherFn fn;
  const GatherArgs *args;
  int64_t codeBytes, tableBytes;
  bool byColumns;
};

void gatherRange(void *p, int64_t begin, int64_t end) {
  const GatherSplit &s = *static_cast<const GatherSplit *>(p);
  GatherArgs a = *s.args;
  if (s.byColumns) {
    int64_t c0 = begin * kColumnBlock, c1 = end * kColumnBlock < a.m ? end * kColumnBlock : a.m;
    a.tables = static_cast<const char *>(a.tables) + c0 * s.tableBytes;
    a.bias = a.bias ? a.bias + c0 : nullptr;
    a.scales = a.scales ? a.scales + c0 : nullptr;
    a.y += c0;
    a.m = c1 - c0;
  } else {
    a.codes = static_cast<const char *>(a.codes) + begin * a.codesStride * s.codeBytes;
    a.weights = a.weights ? a.weights + begin * a.weightsStride : nullptr;
    a.y += begin * a.yStride;
    a.n = end - begin;
  }
  s.fn(a);
}

void runGather(TableType tt, CodeType ct, const GatherArgs &a) {
  GatherFn fn = table().gather[tt][ct];
  int threads = threadCount();
  if (threads <= 1 || a.n * a.h * a.m * tableBytes(tt) < kMinParallelTableBytes) {
    fn(a);
    return;
  }
  GatherSplit s{fn, &a, codeBytes(ct), tableBytes(tt), a.n < 2 * threads};
  int64_t items = s.byColumns ? (a.m + kColumnBlock - 1) / kColumnBlock : a.n;
  parallelFor(items, threads, gatherRange, &s);
}

struct EncodeSplit {
  EncodeFn fn;
  const EncodeArgs *args;
};

void encodeRange(void *p, int64_t begin, int64_t end) {
  const EncodeSplit &s = *static_cast<const EncodeSplit *>(p);
  EncodeArgs a = *s.args;
  int64_t i0 = begin * kTokenBlock, i1 = end * kTokenBlock < a.n ? end * kTokenBlock : a.n;
  a.x += i0 * a.xStride;
  a.codes = static_cast<char *>(a.codes) + i0 * a.codesStride * codeBytes(a.codeType);
  a.n = i1 - i0;
  s.fn(a);
}

void runEncode(ProjKind kind, const EncodeArgs &a) {
  EncodeFn fn = table().encode[kind];
  int threads = threadCount();
  if (threads <= 1 || a.n < 2 * kTokenBlock || 2 * a.n * a.d * a.h * a.k < kMinParallelFlops) {
    fn(a);
    return;
  }
  EncodeSplit s{fn, &a};
  parallelFor((a.n + kTokenBlock - 1) / kTokenBlock, threads, encodeRange, &s);
}

/// Weightless kernels: tokens per thread item (the LUT kernel's block).
constexpr int64_t kWeightlessTokenBlock = kLutBlockTokens;
constexpr int64_t kMinParallelLookups = 1 << 16; // n * l (or n * d * b) per call

/// A weightless call split by blocks of tokens: Args is ThermoArgs or
/// LutArgs, `advance(a, t0)` moves its per-token pointers to token t0.
template <class Args> struct TokenSplit {
  void (*fn)(const Args &);
  const Args *args;
  void (*advance)(Args &, int64_t);
};

template <class Args> void tokenRange(void *p, int64_t begin, int64_t end) {
  const TokenSplit<Args> &s = *static_cast<const TokenSplit<Args> *>(p);
  Args a = *s.args;
  int64_t t0 = begin * kWeightlessTokenBlock;
  int64_t t1 = end * kWeightlessTokenBlock < a.n ? end * kWeightlessTokenBlock : a.n;
  s.advance(a, t0);
  a.n = t1 - t0;
  s.fn(a);
}

void advanceThermo(ThermoArgs &a, int64_t t0) {
  a.x += t0 * a.xStride;
  a.bits += t0 * a.bitsStride;
}

void advanceLut(LutArgs &a, int64_t t0) {
  a.bits += t0 * a.bitsStride;
  a.y += t0 * a.yStride;
}

int64_t weightlessItems(int64_t n) {
  return (n + kWeightlessTokenBlock - 1) / kWeightlessTokenBlock;
}

void runThermometer(const ThermoArgs &a) {
  ThermoFn fn = table().thermometer;
  int threads = threadCount();
  if (threads <= 1 || a.n <= kWeightlessTokenBlock || a.n * a.d * a.b < kMinParallelLookups) {
    fn(a);
    return;
  }
  TokenSplit<ThermoArgs> s{fn, &a, advanceThermo};
  parallelFor(weightlessItems(a.n), threads, tokenRange<ThermoArgs>, &s);
}

/// The LUT kernel of map type MT with a heap buffer for the transposed
/// bits (one per call, so per thread; KernelTable.h): for blocks of
/// kLutWideTokens when the call has that many tokens, or for a layer whose
/// 32-token block does not fit the kernel's stack. If malloc fails, the
/// kernel still runs (stack blocks, or token by token).
template <MapType MT> void lutWithScratch(const LutArgs &a) {
  LutFn fn = table().lut[MT];
  int64_t need = 0;
  if (a.n >= kLutWideTokens)
    need = a.inputs * kLutWideTokens;
  else if (a.n > 1 && a.inputs * kLutBlockTokens > kLutStackBytes)
    need = a.inputs * kLutBlockTokens;
  if (need == 0) {
    fn(a);
    return;
  }
  LutArgs b = a;
  b.scratch = static_cast<uint8_t *>(aligned_alloc(64, (size_t)(need + 63) / 64 * 64));
  fn(b);
  free(b.scratch);
}

void runLut(MapType mt, const LutArgs &a) {
  LutFn fn = mt == kMapI32 ? lutWithScratch<kMapI32> : lutWithScratch<kMapI64>;
  int threads = threadCount();
  if (threads <= 1 || a.n <= kWeightlessTokenBlock || a.n * a.l < kMinParallelLookups) {
    fn(a);
    return;
  }
  TokenSplit<LutArgs> s{fn, &a, advanceLut};
  parallelFor(weightlessItems(a.n), threads, tokenRange<LutArgs>, &s);
}

} // namespace

extern "C" {

const char *lutk_active_isa(void) { return table().name; }

int lutk_isa_available(const char *name) {
  return name && *name && findTable(name) != nullptr;
}

int lutk_force_isa(const char *name) {
  const KernelTable *t = findTable(name);
  if (!t)
    return 0;
  __atomic_store_n(&gTable, t, __ATOMIC_RELEASE);
  return 1;
}

#define LUTK_GATHER_FLOAT(TN, TT, TI, CN, CT, CI)                              \
  void lutk_gather_sum_##TN##_##CN(                                            \
      const CT *codes, int64_t codes_stride, const TT *tables, int64_t h,      \
      int64_t r, int64_t table_stride, int64_t row_stride,                     \
      const float *weights, int64_t weights_stride, const float *bias,         \
      float *y, int64_t y_stride, int64_t n, int64_t m) {                      \
    (void)r;                                                                   \
    if (n <= 0 || m <= 0)                                                      \
      return;                                                                  \
    GatherArgs a{codes,   codes_stride,   tables, h,        table_stride,     \
                 row_stride, nullptr,     0,      weights,  weights_stride,   \
                 bias,    y,              y_stride, n,      m};               \
    runGather(TI, CI, a);                                                      \
  }

#define LUTK_GATHER_I8(CN, CT, CI)                                             \
  void lutk_gather_sum_i8_##CN(                                                \
      const CT *codes, int64_t codes_stride, const int8_t *tables, int64_t h,  \
      int64_t r, int64_t table_stride, int64_t row_stride,                     \
      const float *scales, int64_t scales_stride, const float *weights,        \
      int64_t weights_stride, const float *bias, float *y, int64_t y_stride,   \
      int64_t n, int64_t m) {                                                  \
    (void)r;                                                                   \
    if (n <= 0 || m <= 0)                                                      \
      return;                                                                  \
    GatherArgs a{codes,   codes_stride,  tables, h,       table_stride,       \
                 row_stride, scales,     scales_stride,  weights,             \
                 weights_stride, bias,   y,      y_stride, n,     m};         \
    runGather(kTabI8, CI, a);                                                  \
  }

#define LUTK_GATHER_CODES(TN, TT, TI)                                          \
  LUTK_GATHER_FLOAT(TN, TT, TI, u8, uint8_t, kCodeU8)                          \
  LUTK_GATHER_FLOAT(TN, TT, TI, u16, uint16_t, kCodeU16)                       \
  LUTK_GATHER_FLOAT(TN, TT, TI, i32, int32_t, kCodeI32)

LUTK_GATHER_CODES(f32, float, kTabF32)
LUTK_GATHER_CODES(f16, uint16_t, kTabF16)
LUTK_GATHER_CODES(bf16, uint16_t, kTabBF16)
LUTK_GATHER_I8(u8, uint8_t, kCodeU8)
LUTK_GATHER_I8(u16, uint16_t, kCodeU16)
LUTK_GATHER_I8(i32, int32_t, kCodeI32)

/// NAME(x, x_stride, <PARAMS: the projection's>, bias, d, h, k, codes,
/// codes_stride, n); PARAMS is parenthesized.
#define LUTK_UNPAREN(...) __VA_ARGS__
#define LUTK_ENCODE(NAME, PARAMS, PROJ, PSTRIDE, KIND, CT, CI)                 \
  void NAME(const float *x, int64_t x_stride, LUTK_UNPAREN PARAMS,             \
            const float *bias,                                                 \
            int64_t d, int64_t h, int64_t k, CT *codes, int64_t codes_stride,  \
            int64_t n) {                                                       \
    if (n <= 0 || h <= 0)                                                      \
      return;                                                                  \
    EncodeArgs a{x, x_stride, PROJ, PSTRIDE, bias, d,                          \
                 h, k,        codes, codes_stride, n, CI};                     \
    runEncode(KIND, a);                                                        \
  }

#define LUTK_ENCODE_CODES(PREFIX, PARAMS, PROJ, PSTRIDE, KIND)                 \
  LUTK_ENCODE(PREFIX##_u8, PARAMS, PROJ, PSTRIDE, KIND, uint8_t, kCodeU8)      \
  LUTK_ENCODE(PREFIX##_u16, PARAMS, PROJ, PSTRIDE, KIND, uint16_t, kCodeU16)   \
  LUTK_ENCODE(PREFIX##_i32, PARAMS, PROJ, PSTRIDE, KIND, int32_t, kCodeI32)

void lutk_thermometer_f32(const float *x, int64_t x_stride, const float *thresholds,
                          int64_t thresholds_stride, int64_t d, int64_t b, uint8_t *bits,
                          int64_t bits_stride, int64_t n) {
  if (n <= 0 || d <= 0 || b <= 0)
    return;
  runThermometer(ThermoArgs{x, x_stride, thresholds, thresholds_stride, d, b, bits,
                            bits_stride, n});
}

#define LUTK_LUT(NAME, MT, MI)                                                 \
  void NAME(const uint8_t *bits, int64_t bits_stride, int64_t inputs,          \
            const MT *mapping, int64_t mapping_stride, int64_t fan_in,         \
            const float *tables, int64_t table_stride, float *y,               \
            int64_t y_stride, int64_t n, int64_t l_count) {                    \
    if (n <= 0 || l_count <= 0 || fan_in < 1 || fan_in > 16)                   \
      return;                                                                  \
    runLut(MI, LutArgs{bits, bits_stride, inputs, mapping, mapping_stride,     \
                       fan_in, tables, table_stride, y, y_stride, n,           \
                       l_count});                                              \
  }
LUTK_LUT(lutk_lut_f32_m32, int32_t, kMapI32)
LUTK_LUT(lutk_lut_f32_m64, int64_t, kMapI64)
#undef LUTK_LUT

LUTK_ENCODE_CODES(lutk_lsh_encode_f32,
                  (const float *projection, int64_t proj_stride), projection,
                  proj_stride, kProjRawF32)
LUTK_ENCODE_CODES(lutk_lsh_encode_packed_f32, (const float *packed), packed, 0,
                  kProjPackedF32)
LUTK_ENCODE_CODES(lutk_lsh_encode_packed_bf16, (const uint16_t *packed), packed,
                  0, kProjPackedBF16)

} // extern "C"
