/*===- lut-c/Kernels.h - LUT microkernels (C ABI) --------------------------===*\
|*                                                                            *|
|* Tile-level microkernels for the lut dialect's `lut.gather_sum` and         *|
|* `lut.lsh_encode`, in the manner of IREE's ukernels: flat C functions that  *|
|* take only pointers and scalars, so that compiled code can call them with   *|
|* `func.call` / `llvm.call` on the pointers and sizes of a tile.             *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/**
 * \file
 * The LUT microkernel library (`LutKernels`, a static PIC archive linked into
 * every compiled model; `LutKernels_aarch64` is the same library for
 * AArch64).
 *
 * Where the algorithms come from:
 *  - `lutk_lsh_encode_*` is the hash of LookupFFN (Zeng et al., ICML 2024,
 *    arXiv:2403.07221): `z = x·P + c` and one sign bit per projected
 *    dimension, `k` bits per code. Here it is a register-blocked small GEMM
 *    whose epilogue turns the signs into codes, so `z` never reaches memory.
 *  - `lutk_gather_sum_*` is the table read of LookupFFN, which is also the
 *    aggregation of product-quantized matmul (MADDNESS; LUT-NN): for each
 *    token, one row per table is added into the output. `i8` tables with one
 *    scale per output column sum in 16-bit integers (exact: at most 256
 *    tables per 16-bit partial sum) and are scaled once, as in LUT-NN and
 *    T-MAC's two-level integer accumulation.
 *
 * Conventions for every kernel below:
 *  - Matrices are row-major; every stride is in ELEMENTS of the pointed-to
 *    type (not bytes) and must be >= 0. Sizes are `int64_t` and >= 0; a zero
 *    `n` or `m` makes a kernel a no-op.
 *  - No alignment is required (unaligned vector loads are used); 64-byte
 *    aligned rows are faster. Kernels never read or write outside the
 *    extents described (no over-read into padding, no over-write).
 *  - Outputs are overwritten, never accumulated into. Outputs must not
 *    overlap inputs.
 *  - Kernels do not report errors or allocate; large calls run on the
 *    libgomp team (Threads, below). They are reentrant and may run
 *    concurrently on disjoint outputs. Violated
 *    preconditions (a code >= r, a stride too small) are undefined
 *    behaviour, as for any gather.
 *  - `f16` and `bf16` data are passed as `uint16_t` bit patterns (IEEE
 *    binary16, and the upper half of an IEEE binary32).
 *  - Floating-point results are computed in f32 in a fixed order (see each
 *    kernel), with fused multiply-adds where stated; every ISA path gives
 *    bit-identical results to the scalar path, except the bf16 projection
 *    (see lutk_lsh_encode_packed_bf16_u8).
 *
 * Dispatch: the first kernel call picks the best path for the running CPU
 * (x86-64: avx512bf16 > avx512 > avx2 > scalar; AArch64: neon > scalar).
 * The environment variable `LUTK_FORCE_ISA` (a name as below) or
 * lutk_force_isa() selects another one. Paths:
 *  - `scalar`: portable C++, any CPU; the reference for the others.
 *  - `avx2`: AVX2 + FMA + F16C (Haswell, Zen 1 and later).
 *  - `avx512`: AVX-512 F/BW/VL/DQ (Skylake-SP, Zen 4 and later); the bf16
 *    projection is emulated with f32 FMAs.
 *  - `avx512bf16`: `avx512` plus AVX512_BF16: the bf16 projection uses
 *    `vdpbf16ps` (Cooper Lake, Sapphire Rapids, Zen 4).
 *  - `neon`: AArch64 Advanced SIMD (every AArch64 CPU).
 *
 * Threads: a call that reads at least 1 MiB of table (gather_sum) or does
 * at least 4 Mflop (lsh_encode, 2*n*d*h*k) is split over `LUT_NUM_THREADS`
 * threads (read once per process; default: the CPUs of the process's
 * affinity mask): by tokens, or for gather_sum
 * with fewer tokens than twice the threads, by blocks of 64 output columns.
 * The threads are libgomp's OpenMP team (the one oneDNN uses), referenced
 * weakly: without libgomp in the process every call runs on its caller.
 * Splitting never changes a result bit: each output element is computed by
 * one thread in the order stated for the kernel.
 */
#ifndef LUT_C_KERNELS_H
#define LUT_C_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Dispatch
 *===----------------------------------------------------------------------===*/

/** The name of the path the kernels run on now ("scalar", "avx2", "avx512",
 *  "avx512bf16" or "neon"); selects it first if no kernel has run yet. */
const char *lutk_active_isa(void);

/** 1 if the path `name` (one of the names above) is built into this library
 *  and runs on this CPU, else 0. */
int lutk_isa_available(const char *name);

/** Selects the path `name` (one of the names above) for every later kernel
 *  call, or the best available path when `name` is NULL or empty. Returns 1
 *  on success, 0 (and changes nothing) if `name` is unknown or the CPU lacks
 *  it. For tests and benchmarks: it must not race with running kernels. */
int lutk_force_isa(const char *name);

/*===----------------------------------------------------------------------===*
 * gather_sum
 *===----------------------------------------------------------------------===*/

/**
 * One tile of `lut.gather_sum`: for `i < n`, `j < m`,
 *
 *     y[i*y_stride + j] = sum_{t < h} w(i, t) * T(t, codes[i*codes_stride + t], j)
 *                         + (bias ? bias[j] : 0)
 *
 * where `T(t, c, j) = tables[t*table_stride + c*row_stride + j]` converted to
 * f32 and `w(i, t) = weights ? weights[i*weights_stride + t] : 1`.
 *
 *  - `codes`: [n, h] (u8, u16 or i32, by the name's suffix), each in [0, r).
 *  - `tables`: the tile's column 0 of table 0 (the caller offsets it by the
 *    tile's first column); `r` rows per table (documentation only: not read).
 *  - `weights`: NULL (all ones) or [n, h] f32.
 *  - `bias`: NULL (zero) or [m] f32, offset like `tables`.
 *  - `y`: [n, m] f32 output.
 *
 * Arithmetic: per column, `acc = 0; for t in order: acc = acc + T` (or
 * `acc = fma(w, T, acc)` with weights); `y = acc + bias`. Error bound
 * against exact arithmetic: |y - y_exact| <= h * 2^-24 * sum_t |w T| (plus
 * one rounding of the bias add).
 */
void lutk_gather_sum_f32_u8(const uint8_t *codes, int64_t codes_stride,
                            const float *tables, int64_t h, int64_t r,
                            int64_t table_stride, int64_t row_stride,
                            const float *weights, int64_t weights_stride,
                            const float *bias, float *y, int64_t y_stride,
                            int64_t n, int64_t m);
/** As lutk_gather_sum_f32_u8, with u16 codes. */
void lutk_gather_sum_f32_u16(const uint16_t *codes, int64_t codes_stride,
                             const float *tables, int64_t h, int64_t r,
                             int64_t table_stride, int64_t row_stride,
                             const float *weights, int64_t weights_stride,
                             const float *bias, float *y, int64_t y_stride,
                             int64_t n, int64_t m);
/** As lutk_gather_sum_f32_u8, with i32 codes (the unpacked reference form). */
void lutk_gather_sum_f32_i32(const int32_t *codes, int64_t codes_stride,
                             const float *tables, int64_t h, int64_t r,
                             int64_t table_stride, int64_t row_stride,
                             const float *weights, int64_t weights_stride,
                             const float *bias, float *y, int64_t y_stride,
                             int64_t n, int64_t m);

/** As lutk_gather_sum_f32_u8 for f16 tables (IEEE binary16 bit patterns,
 *  converted exactly to f32); u8 codes. */
void lutk_gather_sum_f16_u8(const uint8_t *codes, int64_t codes_stride,
                            const uint16_t *tables, int64_t h, int64_t r,
                            int64_t table_stride, int64_t row_stride,
                            const float *weights, int64_t weights_stride,
                            const float *bias, float *y, int64_t y_stride,
                            int64_t n, int64_t m);
/** f16 tables, u16 codes. */
void lutk_gather_sum_f16_u16(const uint16_t *codes, int64_t codes_stride,
                             const uint16_t *tables, int64_t h, int64_t r,
                             int64_t table_stride, int64_t row_stride,
                             const float *weights, int64_t weights_stride,
                             const float *bias, float *y, int64_t y_stride,
                             int64_t n, int64_t m);
/** f16 tables, i32 codes. */
void lutk_gather_sum_f16_i32(const int32_t *codes, int64_t codes_stride,
                             const uint16_t *tables, int64_t h, int64_t r,
                             int64_t table_stride, int64_t row_stride,
                             const float *weights, int64_t weights_stride,
                             const float *bias, float *y, int64_t y_stride,
                             int64_t n, int64_t m);

/** As lutk_gather_sum_f32_u8 for bf16 tables (bit patterns, converted
 *  exactly to f32); u8 codes. */
void lutk_gather_sum_bf16_u8(const uint8_t *codes, int64_t codes_stride,
                             const uint16_t *tables, int64_t h, int64_t r,
                             int64_t table_stride, int64_t row_stride,
                             const float *weights, int64_t weights_stride,
                             const float *bias, float *y, int64_t y_stride,
                             int64_t n, int64_t m);
/** bf16 tables, u16 codes. */
void lutk_gather_sum_bf16_u16(const uint16_t *codes, int64_t codes_stride,
                              const uint16_t *tables, int64_t h, int64_t r,
                              int64_t table_stride, int64_t row_stride,
                              const float *weights, int64_t weights_stride,
                              const float *bias, float *y, int64_t y_stride,
                              int64_t n, int64_t m);
/** bf16 tables, i32 codes. */
void lutk_gather_sum_bf16_i32(const int32_t *codes, int64_t codes_stride,
                              const uint16_t *tables, int64_t h, int64_t r,
                              int64_t table_stride, int64_t row_stride,
                              const float *weights, int64_t weights_stride,
                              const float *bias, float *y, int64_t y_stride,
                              int64_t n, int64_t m);

/**
 * `lut.gather_sum` for i8 tables with f32 dequantization scales:
 *
 *     y[i, j] = sum_t w(i, t) * s(t, j) * T(t, codes[i, t], j) + bias[j]
 *
 * with `s(t, j) = scales[t*scales_stride + j]` (`scales` offset to the
 * tile's first column like `tables`). Two scale layouts:
 *  - `scales_stride == 0`: one scale per output column shared by all tables
 *    (`scales` is [m]), the packed default. Without weights the sum is
 *    exact in integers (16-bit partial sums over at most 256 tables, then
 *    exact f32 sums of those, exact while 128*h <= 2^24) and
 *    `y = fma(float(sum), s[j], bias[j])`. With weights:
 *    `acc = fma(w, float(T), acc)` over t in order, `y = fma(acc, s, bias)`.
 *  - `scales_stride > 0`: per-table-and-column scales ([h, m] rows of
 *    `scales_stride`): `acc = fma(s, float(T), acc)`, or with weights
 *    `acc = fma(w*s, float(T), acc)`; `y = acc + bias`.
 * Without bias, `y = float(sum) * s` (resp. `acc`). Other parameters as for
 * lutk_gather_sum_f32_u8.
 */
void lutk_gather_sum_i8_u8(const uint8_t *codes, int64_t codes_stride,
                           const int8_t *tables, int64_t h, int64_t r,
                           int64_t table_stride, int64_t row_stride,
                           const float *scales, int64_t scales_stride,
                           const float *weights, int64_t weights_stride,
                           const float *bias, float *y, int64_t y_stride,
                           int64_t n, int64_t m);
/** i8 tables, u16 codes. */
void lutk_gather_sum_i8_u16(const uint16_t *codes, int64_t codes_stride,
                            const int8_t *tables, int64_t h, int64_t r,
                            int64_t table_stride, int64_t row_stride,
                            const float *scales, int64_t scales_stride,
                            const float *weights, int64_t weights_stride,
                            const float *bias, float *y, int64_t y_stride,
                            int64_t n, int64_t m);
/** i8 tables, i32 codes. */
void lutk_gather_sum_i8_i32(const int32_t *codes, int64_t codes_stride,
                            const int8_t *tables, int64_t h, int64_t r,
                            int64_t table_stride, int64_t row_stride,
                            const float *scales, int64_t scales_stride,
                            const float *weights, int64_t weights_stride,
                            const float *bias, float *y, int64_t y_stride,
                            int64_t n, int64_t m);

/*===----------------------------------------------------------------------===*
 * lsh_encode
 *===----------------------------------------------------------------------===*/

/**
 * One tile of `lut.lsh_encode` with the projection as given (row-major):
 *
 *     z[i, c] = sum_{e < d} x[i*x_stride + e] * projection[e*proj_stride + c]
 *               + (bias ? bias[c] : 0)                      for c < h*k
 *     codes[i*codes_stride + t] = sum_{j < k} (z[i, t*k + j] > 0) << j
 *
 *  - `x`: [n, d] f32; `projection`: [d, h*k] f32 (rows `proj_stride` >=
 *    h*k apart; the caller offsets it to the tile's first column `t0*k`);
 *    `bias`: NULL or [h*k] f32 (offset likewise).
 *  - `k` in [1, 8] for u8 codes, [1, 16] for u16 and i32 codes.
 *  - `codes`: [n, h] output.
 * `z` is accumulated as `acc = fma(x[e], P[e, c], acc)` for e = 0..d-1 in
 * order, then `acc + bias`; a NaN `z` gives bit 0. `z` is never stored.
 */
void lutk_lsh_encode_f32_u8(const float *x, int64_t x_stride,
                            const float *projection, int64_t proj_stride,
                            const float *bias, int64_t d, int64_t h, int64_t k,
                            uint8_t *codes, int64_t codes_stride, int64_t n);
/** As lutk_lsh_encode_f32_u8, with u16 codes (k <= 16). */
void lutk_lsh_encode_f32_u16(const float *x, int64_t x_stride,
                             const float *projection, int64_t proj_stride,
                             const float *bias, int64_t d, int64_t h, int64_t k,
                             uint16_t *codes, int64_t codes_stride, int64_t n);
/** As lutk_lsh_encode_f32_u8, with i32 codes (k <= 16). */
void lutk_lsh_encode_f32_i32(const float *x, int64_t x_stride,
                             const float *projection, int64_t proj_stride,
                             const float *bias, int64_t d, int64_t h, int64_t k,
                             int32_t *codes, int64_t codes_stride, int64_t n);

/*===----------------------------------------------------------------------===*
 * Packed projections (for compile-time packing)
 *
 * The packed layout is the same on every CPU (pack once, on any host). The
 * h*k projected columns are cut into panels of G = lutk_projection_panel_groups(k)
 * = floor(64 / k) whole codes (64 columns of storage, G*k used, the rest zero;
 * the last panel holds the remaining h - (P-1)*G codes). With P = ceil(h / G)
 * panels:
 *  - f32:  packed[p][e][c]         = projection[e, p*G*k + c]   (P x d x 64)
 *  - bf16: packed[p][e/2][c][e%2]  = bf16(projection[e, p*G*k + c])
 *          (P x ceil(d/2) x 64 x 2; an odd d is padded with a zero row;
 *          round-to-nearest-even).
 * A panel holds lutk_packed_panel_elems_*() elements. To tile over codes,
 * start tiles at multiples of G and offset `packed` by (t0/G) panels.
 *===----------------------------------------------------------------------===*/

/** Codes per panel, floor(64 / k), for k in [1, 16]. */
int64_t lutk_projection_panel_groups(int64_t k);
/** Elements (floats) of one f32 panel: d * 64. */
int64_t lutk_packed_panel_elems_f32(int64_t d);
/** Elements (uint16_t) of one bf16 panel: ceil(d/2) * 128. */
int64_t lutk_packed_panel_elems_bf16(int64_t d);
/** Elements (floats) of a packed f32 projection: ceil(h/G) panels. */
int64_t lutk_packed_projection_size_f32(int64_t d, int64_t h, int64_t k);
/** Elements (uint16_t) of a packed bf16 projection: ceil(h/G) panels. */
int64_t lutk_packed_projection_size_bf16(int64_t d, int64_t h, int64_t k);

/** Packs `projection` [d, h*k] (row stride `proj_stride`) into `packed`,
 *  lutk_packed_projection_size_f32() floats (any alignment; 64 is best). */
void lutk_pack_projection_f32(const float *projection, int64_t proj_stride,
                              int64_t d, int64_t h, int64_t k, float *packed);
/** Packs `projection` into bf16 (round to nearest even), see above. */
void lutk_pack_projection_bf16(const float *projection, int64_t proj_stride,
                               int64_t d, int64_t h, int64_t k,
                               uint16_t *packed);

/**
 * lutk_lsh_encode_f32_u8 on a packed f32 projection (same arithmetic, hence
 * the same codes). `packed` starts at a panel; `bias` is [h*k] (unpacked)
 * or NULL.
 */
void lutk_lsh_encode_packed_f32_u8(const float *x, int64_t x_stride,
                                   const float *packed, const float *bias,
                                   int64_t d, int64_t h, int64_t k,
                                   uint8_t *codes, int64_t codes_stride,
                                   int64_t n);
/** Packed f32 projection, u16 codes. */
void lutk_lsh_encode_packed_f32_u16(const float *x, int64_t x_stride,
                                    const float *packed, const float *bias,
                                    int64_t d, int64_t h, int64_t k,
                                    uint16_t *codes, int64_t codes_stride,
                                    int64_t n);
/** Packed f32 projection, i32 codes. */
void lutk_lsh_encode_packed_f32_i32(const float *x, int64_t x_stride,
                                    const float *packed, const float *bias,
                                    int64_t d, int64_t h, int64_t k,
                                    int32_t *codes, int64_t codes_stride,
                                    int64_t n);

/**
 * The hash with a bf16 projection: `x` is rounded to bf16 (nearest even),
 * products of bf16 pairs are accumulated in f32 (`vdpbf16ps` on avx512bf16,
 * two FMAs per pair elsewhere, odd element of the pair first), then the f32
 * bias is added. Half the projection bytes of the f32 kernels and, with
 * AVX512_BF16, twice the multiply rate. Codes differ from the f32 kernels
 * where |z| is within bf16 rounding of 0 (bench/kernels/README.md gives the
 * measured bit-flip rate), and between ISA paths only where |z| is within
 * f32 rounding of 0 (DAZ/FTZ of `vdpbf16ps`, summation order).
 */
void lutk_lsh_encode_packed_bf16_u8(const float *x, int64_t x_stride,
                                    const uint16_t *packed, const float *bias,
                                    int64_t d, int64_t h, int64_t k,
                                    uint8_t *codes, int64_t codes_stride,
                                    int64_t n);
/** bf16 packed projection, u16 codes. */
void lutk_lsh_encode_packed_bf16_u16(const float *x, int64_t x_stride,
                                     const uint16_t *packed, const float *bias,
                                     int64_t d, int64_t h, int64_t k,
                                     uint16_t *codes, int64_t codes_stride,
                                     int64_t n);
/** bf16 packed projection, i32 codes. */
void lutk_lsh_encode_packed_bf16_i32(const float *x, int64_t x_stride,
                                     const uint16_t *packed, const float *bias,
                                     int64_t d, int64_t h, int64_t k,
                                     int32_t *codes, int64_t codes_stride,
                                     int64_t n);

/**
 * `lut.thermometer` (thermometer encoding, DWN: Bacellar et al., ICML 2024):
 *
 *     bits[t, i*b + j] = x[t, i] > thresholds[i, j] ? 1 : 0
 *
 * for tokens t < n, features i < d, thresholds j < b; one byte per bit
 * (the layout of an i1 or i8 memref). `x`: f32 rows of `x_stride`
 * elements; `thresholds`: d rows of b values, rows `thresholds_stride`
 * elements apart; `bits`: rows of `bits_stride` bytes, d*b of them written.
 * A NaN input gives 0 bits. Split over threads by tokens. No errors: the
 * caller passes consistent sizes (lut-kernel-calls takes them from the
 * verified op).
 */
void lutk_thermometer_f32(const float *x, int64_t x_stride, const float *thresholds,
                          int64_t thresholds_stride, int64_t d, int64_t b, uint8_t *bits,
                          int64_t bits_stride, int64_t n);

/**
 * `lut.lut`, one layer of n-input lookup tables (DWN; QuWeiT,
 * arXiv:2411.01818):
 *
 *     addr[t, l] = sum_{j < fan_in} (bits[t, mapping[l, j]] != 0) << j
 *     y[t, l]    = tables[l, addr[t, l]]
 *
 * for tokens t < n and LUTs l < l_count. `bits`: rows of `bits_stride`
 * bytes, `inputs` of them read (any nonzero byte is a 1); `mapping`:
 * l_count rows of fan_in (1..16) int32 indices, `mapping_stride` apart; an
 * index outside [0, inputs) reads as a 0 bit; `tables`: l_count rows of
 * 2^fan_in f32 entries, `table_stride` apart; `y`: f32 rows of `y_stride`.
 * Blocks of 32 tokens have their bits transposed to token-minor bytes and
 * their addresses built by shifts and ORs across the block (inputs <=
 * 2048); larger layers run token by token. Exact (table reads only). Split
 * over threads by blocks of tokens.
 */
void lutk_lut_f32_m32(const uint8_t *bits, int64_t bits_stride, int64_t inputs,
                      const int32_t *mapping, int64_t mapping_stride, int64_t fan_in,
                      const float *tables, int64_t table_stride, float *y, int64_t y_stride,
                      int64_t n, int64_t l_count);
/** As lutk_lut_f32_m32, with int64 mapping indices. */
void lutk_lut_f32_m64(const uint8_t *bits, int64_t bits_stride, int64_t inputs,
                      const int64_t *mapping, int64_t mapping_stride, int64_t fan_in,
                      const float *tables, int64_t table_stride, float *y, int64_t y_stride,
                      int64_t n, int64_t l_count);

/**
 * Runs `fn(ctx, begin, end)` over the items [0, items) split into contiguous
 * ranges on the kernels' threads (`LUT_NUM_THREADS`, the libgomp team
 * above): thread t of T gets [t*items/T, (t+1)*items/T), T being at most
 * the thread count and `items`. With one thread (or no libgomp), it calls
 * fn(ctx, 0, items) on the caller. Returns when every range is done.
 *
 * This is what compiled models call for their elementwise and reduction
 * loops: `lut-outline-parallel-loops` outlines the body of an outermost
 * `scf.parallel` into `fn` (items: its iterations; ctx: its captured
 * values). `items` <= 0 does nothing. `fn` must not throw.
 */
void lutk_parallel_for(int64_t items, void (*fn)(void *ctx, int64_t begin, int64_t end),
                       void *ctx);

/**
 * The thread count the kernels (and LutDense's GEMMs) of this model library
 * use: the value of lut_model_set_num_threads when set, else LUT_NUM_THREADS
 * when a positive integer, else the CPUs of the process's affinity mask; at
 * most 1024; 1 without libgomp.
 */
int lutk_thread_count(void);

/**
 * Sets the thread count of this model library's parallel loops, kernels and
 * LutDense GEMMs to `n` in [1, 1024] (1 when libgomp is not linked in), or
 * back to the default (LUT_NUM_THREADS, else the CPUs) with `n` = 0. Runs
 * already under way keep the count they started with for calls they have
 * begun. Returns 0, or -1 for `n` outside [0, 1024].
 *
 * Exported (default visibility) from every model library that links
 * LutKernels, which lutc does for every host model that calls LutKernels or
 * LutDense; the runtime calls it from lutModelSetNumThreads. The setting
 * belongs to the loaded library: two LutModels loaded from one file share it.
 */
int32_t lut_model_set_num_threads(int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* LUT_C_KERNELS_H */
