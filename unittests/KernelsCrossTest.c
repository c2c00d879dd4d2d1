/*===- KernelsCrossTest.c - LutKernels: every path vs the scalar path ----===*\
|*                                                                            *|
|* A plain C program (no C++ runtime, so it links for any target with only   *|
|* libc): for every ISA path the library has on this CPU, runs every kernel  *|
|* on a few shapes and compares with the scalar path (bit-identical results, *|
|* except near-zero bits of the bf16 projection), and the scalar path with a *|
|* double-precision reference. Built natively (unit.LutKernelsC.*) and for   *|
|* AArch64, where it runs under qemu-aarch64 (unit.LutKernelsAArch64.*).     *|
|* Exit status 0 on success; failures are printed.                           *|
\*===----------------------------------------------------------------------===*/
#include "lut-c/Kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      if (failures++ < 20) {                                                   \
        printf("FAIL %s:%d: ", __FILE__, __LINE__);                            \
        printf(__VA_ARGS__);                                                   \
        printf("\n");                                                          \
      }                                                                        \
    }                                                                          \
  } while (0)

static uint64_t state = 88172645463325252ull;
static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
/* Uniform in (-1, 1) with a 24-bit mantissa: exact in f32. */
static float unit(void) { return (float)((int64_t)(next() >> 40) - (1 << 23)) / (1 << 23); }
static uint16_t bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

enum { N = 7, H = 37, R = 300, M = 203, D = 131, K = 8 };

typedef struct {
  uint16_t codes[N * H];
  uint8_t codes8[N * H];
  float tf[H * R * M], w[N * H], b[M], s[H * M];
  uint16_t th[H * R * M], tb[H * R * M];
  int8_t ti[H * R * M];
  float x[N * D], p[D * H * K], pb[H * K];
} Data;

static Data g;

/* Runs every gather variant into out[v][N*M] (v = 0..17). */
static void runGathers(float out[][N * M]) {
  int v = 0;
  for (int opt = 0; opt < 2; ++opt) {
    const float *w = opt ? g.w : NULL, *b = opt ? g.b : NULL;
    lutk_gather_sum_f32_u16(g.codes, H, g.tf, H, R, R * M, M, w, H, b, out[v++], M, N, M);
    lutk_gather_sum_f16_u16(g.codes, H, g.th, H, R, R * M, M, w, H, b, out[v++], M, N, M);
    lutk_gather_sum_bf16_u16(g.codes, H, g.tb, H, R, R * M, M, w, H, b, out[v++], M, N, M);
    lutk_gather_sum_i8_u16(g.codes, H, g.ti, H, R, R * M, M, g.s, 0, w, H, b, out[v++], M, N, M);
    lutk_gather_sum_i8_u16(g.codes, H, g.ti, H, R, R * M, M, g.s, M, w, H, b, out[v++], M, N, M);
    lutk_gather_sum_f32_u8(g.codes8, H, g.tf, H, 256, R * M, M, w, H, b, out[v++], M, N, M);
    lutk_gather_sum_i8_u8(g.codes8, H, g.ti, H, 256, R * M, M, g.s, 0, w, H, b, out[v++], M, N, M);
    /* A tile: columns [5, 5 + 100) of the tables, 1 token. */
    lutk_gather_sum_f16_u16(g.codes, H, g.th + 5, H, R, R * M, M, w, H, b ? b + 5 : b,
                            out[v++], M, 1, 100);
    lutk_gather_sum_i8_u8(g.codes8, H, g.ti + 5, H, 256, R * M, M, g.s + 5, 0, w, H,
                          b ? b + 5 : b, out[v++], M, 1, 100);
  }
}
enum { kGathers = 18 };

/* Runs every encode variant into out[v][N*H] as i32 codes (v = 0..2). */
static void runEncodes(int32_t out[][N * H], float *pf, uint16_t *pbf) {
  lutk_lsh_encode_f32_i32(g.x, D, g.p, H * K, g.pb, D, H, K, out[0], H, N);
  lutk_lsh_encode_packed_f32_i32(g.x, D, pf, g.pb, D, H, K, out[1], H, N);
  lutk_lsh_encode_packed_bf16_i32(g.x, D, pbf, g.pb, D, H, K, out[2], H, N);
}

/* The scalar gather (f32 tables, weights, bias) against double. */
static void checkReference(const float *y) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < M; ++j) {
      double sum = g.b[j], mag = fabs(g.b[j]);
      for (int t = 0; t < H; ++t) {
        double term = (double)g.w[i * H + t] * g.tf[(t * R + g.codes[i * H + t]) * M + j];
        sum += term;
        mag += fabs(term);
      }
      CHECK(fabs(y[i * M + j] - sum) <= (H + 2) * ldexp(mag, -24), "gather ref %d,%d", i, j);
    }
}

/* The weightless kernels: thermometer bits of x (D features, 5 thresholds
 * each), then a LUT layer of WL LUTs of fan-in 6 over them (int64 and int32
 * mappings), for WT tokens (a partial 32-token block). */
enum { WT = 45, WB = 5, WL = 70, WN = 6 };
static float wx[WT * D], wthr[D * WB], wtab[WL << WN];
static int64_t wmap64[WL * WN];
static int32_t wmap32[WL * WN];

static void runWeightless(uint8_t *bits, float *y64, float *y32) {
  lutk_thermometer_f32(wx, D, wthr, WB, D, WB, bits, D * WB, WT);
  lutk_lut_f32_m64(bits, D * WB, D * WB, wmap64, WN, WN, wtab, 1 << WN, y64, WL, WT, WL);
  lutk_lut_f32_m32(bits, D * WB, D * WB, wmap32, WN, WN, wtab, 1 << WN, y32, WL, WT, WL);
}

int main(void) {
  static float ref[kGathers][N * M], got[kGathers][N * M];
  static int32_t cref[3][N * H], cgot[3][N * H];
  const char *isas[] = {"avx2", "avx512", "avx512bf16", "neon"};
  int tested = 0;
  for (int e = 0; e < N * H; ++e) {
    g.codes[e] = (uint16_t)(next() % R);
    g.codes8[e] = (uint8_t)(next() % 256);
    g.w[e] = unit();
  }
  for (int e = 0; e < H * R * M; ++e) {
    g.tf[e] = unit();
    g.th[e] = (uint16_t)((next() & 0x83ff) | (next() % 30) << 10); /* finite f16 */
    g.tb[e] = bf16(unit());
    g.ti[e] = (int8_t)next();
  }
  for (int e = 0; e < M; ++e)
    g.b[e] = unit();
  for (int e = 0; e < H * M; ++e)
    g.s[e] = 0.01f * (1.5f + unit());
  for (int e = 0; e < N * D; ++e)
    g.x[e] = unit();
  for (int e = 0; e < D * H * K; ++e)
    g.p[e] = unit();
  for (int e = 0; e < H * K; ++e)
    g.pb[e] = 0.1f * unit();
  float *pf = malloc(sizeof(float) * lutk_packed_projection_size_f32(D, H, K));
  uint16_t *pbf = malloc(sizeof(uint16_t) * lutk_packed_projection_size_bf16(D, H, K));
  lutk_pack_projection_f32(g.p, H * K, D, H, K, pf);
  lutk_pack_projection_bf16(g.p, H * K, D, H, K, pbf);

  for (int e = 0; e < WT * D; ++e)
    wx[e] = unit();
  for (int e = 0; e < D * WB; ++e)
    wthr[e] = -0.8f + 0.4f * (float)(e % WB);
  for (int e = 0; e < (WL << WN); ++e)
    wtab[e] = unit();
  for (int e = 0; e < WL * WN; ++e)
    wmap32[e] = (int32_t)(wmap64[e] = (int64_t)(next() % (D * WB)));
  static uint8_t wbits[WT * D * WB], wbitsGot[WT * D * WB];
  static float wy[2][WT * WL], wyGot[2][WT * WL];

  CHECK(lutk_force_isa("scalar") == 1, "scalar path");
  runWeightless(wbits, wy[0], wy[1]);
  CHECK(memcmp(wy[0], wy[1], sizeof wy[0]) == 0, "scalar: m32 vs m64 LUT outputs");
  for (int t = 0; t < WT; ++t)
    for (int l = 0; l < WL; ++l) {
      unsigned addr = 0;
      for (int j = 0; j < WN; ++j) {
        int64_t m = wmap64[l * WN + j];
        addr |= (unsigned)(wx[t * D + m / WB] > wthr[m]) << j;
      }
      CHECK(wy[0][t * WL + l] == wtab[(l << WN) + addr], "scalar LUT at token %d, LUT %d", t, l);
    }
  runGathers(ref);
  runEncodes(cref, pf, pbf);
  checkReference(ref[kGathers / 2]);
  CHECK(memcmp(cref[0], cref[1], sizeof cref[0]) == 0, "raw vs packed f32 codes");
  for (size_t a = 0; a < sizeof isas / sizeof isas[0]; ++a) {
    if (!lutk_force_isa(isas[a]))
      continue;
    ++tested;
    memset(got, 0, sizeof got);
    runGathers(got);
    runEncodes(cgot, pf, pbf);
    for (int v = 0; v < kGathers; ++v)
      CHECK(memcmp(got[v], ref[v], sizeof got[v]) == 0, "%s: gather variant %d", isas[a], v);
    for (int v = 0; v < 2; ++v)
      CHECK(memcmp(cgot[v], cref[v], sizeof cgot[v]) == 0, "%s: encode %d", isas[a], v);
    runWeightless(wbitsGot, wyGot[0], wyGot[1]);
    CHECK(memcmp(wbitsGot, wbits, sizeof wbits) == 0, "%s: thermometer bits", isas[a]);
    CHECK(memcmp(wyGot, wy, sizeof wy) == 0, "%s: LUT layer outputs", isas[a]);
    int flips = 0;
    for (int e = 0; e < N * H; ++e)
      flips += __builtin_popcount((unsigned)(cgot[2][e] ^ cref[2][e]));
    CHECK(flips <= 2, "%s: %d bf16 bits differ", isas[a], flips);
    printf("%s: %d gather, 3 encode and 3 weightless variants vs scalar, %d bf16 bit(s) "
           "differ\n", isas[a],
           kGathers, flips);
  }
  free(pf);
  free(pbf);
  printf("%d SIMD path(s) tested; %s\n", tested, failures ? "FAILED" : "all passed");
  return failures || tested == 0 ? 1 : 0;
}
