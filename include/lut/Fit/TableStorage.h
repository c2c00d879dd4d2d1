//===- TableStorage.h - tables as lut-pack-tables stores them ---*- C++ -*-===//
//
// The rounding of fitted LUT tables to their stored element type, shared by
// lut-pack-tables (which stores them) and lut-convert-mlp's report (which
// measures the accuracy of the stored tables on held-out rows).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_FIT_TABLESTORAGE_H
#define LUT_FIT_TABLESTORAGE_H

#include "lut/Fit/LshFit.h"

#include <cstdint>
#include <vector>

namespace lut::fit {

/// Element types of stored tables (lut-pack-tables' table-type).
enum class TableStorage { F32, F16, BF16, I8 };

/// Symmetric i8 scales of tables [H, R, M] (f32): one per column, `s[m] =
/// max_{h,r} |T[h, r, m]| / 127` ([M]), or with `perTable` one per table
/// and column, `s[h, m] = max_r |T[h, r, m]| / 127` ([H, M]). A column whose
/// maximum is 0 or not finite gets 1. The MADDNESS / LUT-NN form: the sum
/// over tables accumulates in integers and is scaled once.
std::vector<float> i8Scales(const std::vector<float> &tables, int64_t h, int64_t r, int64_t m,
                            bool perTable);

/// round-to-nearest-even(v / scale) clamped to [-127, 127]; 0 when that is
/// not finite.
int8_t quantizeI8(float v, float scale);

/// The tables [H, R, M] as the kernels read them once stored as `storage`:
/// f16 and bf16 entries rounded to nearest-even (f16 saturates to
/// infinity above 65504), i8 entries as scale * q with the scales of
/// i8Scales(perTable). F32 returns them unchanged.
std::vector<float> storedTables(const std::vector<float> &tables, int64_t h, int64_t r,
                                int64_t m, TableStorage storage, bool perTable);

} // namespace lut::fit

#endif
