//===- LshFit.h - post-training fitting of LookupFFN tables -----*- C++ -*-===//
//
// Fits the tables of a LookupFFN replacement (Zeng et al., ICML 2024,
// arXiv:2403.07221) to a dense FFN, post-training, from calibration pairs
// (x, y = FFN(x)):
//
//   codes[n, h] = sum_j [x_n · P[:, h*k+j] + c[h*k+j] > 0] << j
//   y_hat[n]    = b + sum_h T[h, codes[n, h], :]
//
// The tables are fitted by least squares. The columns of one table's design
// matrix are disjoint one-hot indicators, so block coordinate descent over
// tables ("backfitting") solves each block exactly: a ridge-regularized
// per-bucket mean of the current residual.
//
// All matrices are row-major f32. Sizes: N rows (tokens), D = d_model,
// F = d_ff, M = d_out, H tables, k bits per table, R = 2^k rows per table.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_FIT_LSHFIT_H
#define LUT_FIT_LSHFIT_H

#include <cstdint>
#include <string>
#include <vector>

namespace lut::fit {

/// A dense row-major f32 matrix.
struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> data;
  Matrix() = default;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), data(r * c, 0.0f) {}
  float *row(int64_t i) { return data.data() + i * cols; }
  const float *row(int64_t i) const { return data.data() + i * cols; }
};

/// C = A · B (+ C when accumulate), through BLAS sgemm. A [n, d], B [d, m].
void matmul(const Matrix &a, const Matrix &b, Matrix &c, bool accumulate = false);

/// The hyperplanes of one LSH: columns of `projection` [D, H*k] and offsets
/// `offset` [H*k]; bit j of table h is `x · P[:, h*k+j] + offset > 0`.
struct Hyperplanes {
  Matrix projection;
  std::vector<float> offset;
};

/// `projection=hidden`: the pre-activation signs of the FFN's own hidden
/// units, `x · w1_j + b1_j > 0`, for the `count` units of largest
/// importance ‖w1_j‖·‖w2_j‖ (W1 [D, F], b1 [F] or empty, W2 [F, M]), most
/// important first. Fails (returns false, sets `error`) if count > F.
bool hiddenHyperplanes(const Matrix &w1, const std::vector<float> &b1,
                       const Matrix &w2, int64_t count, Hyperplanes &out,
                       std::string &error);

/// `projection=hidden` for gated FFNs, `down(act(x·Wg + bg) * (x·Wu + bu))`:
/// two bits per hidden unit, the signs of its gate and of its up
/// pre-activation, for the `count / 2` units of largest importance
/// ‖wg_j‖·‖wu_j‖·‖w2_j‖, interleaved (gate bit, then up bit) so that both
/// bits of a unit land in the same table when k is even. `isGate` (out) marks
/// the gate columns. Fails if count is odd or count / 2 > F.
bool gatedHiddenHyperplanes(const Matrix &wg, const std::vector<float> &bg,
                            const Matrix &wu, const std::vector<float> &bu,
                            const Matrix &w2, int64_t count, Hyperplanes &out,
                            std::vector<bool> &isGate, std::string &error);

/// `projection=random`: Gaussian hyperplanes through the calibration mean
/// `mean` [D] (offset = -mean · P), from `seed`.
Hyperplanes randomHyperplanes(int64_t d, int64_t count,
                              const std::vector<float> &mean, uint64_t seed);

/// Moves each hyperplane's offset to the split point that best separates the
/// unit's rectified pre-activation max(z, 0) on the rows of `x` [N, D]: the
/// threshold t minimizing the within-side sum of squared deviations of
/// max(z, 0) (a 1-D two-means split), so that the bit carries magnitude
/// information where a ReLU-like activation varies most. For GELU and SiLU
/// units this is a proxy. Rows beyond `maxRows` are ignored (0: all).
void splitOffsets(Hyperplanes &hp, const Matrix &x, int64_t maxRows = 0,
                  const std::vector<bool> &only = {});

/// Packs the sign bits of `x` [N, D] against `hp` into codes [N, H] with
/// `bits` (k) bits each, bit j of table h at position j.
std::vector<int32_t> encode(const Matrix &x, const Hyperplanes &hp, int64_t bits);

/// Fitted tables: `tables` [H, R, M] and `bias` [M].
struct LshTables {
  int64_t h = 0, r = 0, m = 0;
  std::vector<float> tables;
  std::vector<float> bias;
};

/// Backfits tables to targets `y` [N, M] from `codes` [N, H] (values in
/// [0, R)): `sweeps` passes of block coordinate descent; each table's rows
/// are per-bucket means of the residual with ridge `ridge` (in samples:
/// mean = sum / (count + ridge)). Empty buckets stay 0.
LshTables fitTables(const std::vector<int32_t> &codes, int64_t h, int64_t r,
                    const Matrix &y, int sweeps, double ridge);

/// y_hat [N, M] = bias + sum_h tables[h, codes[n, h], :].
Matrix predict(const LshTables &t, const std::vector<int32_t> &codes, int64_t n);

/// Relative MSE: sum (y - y_hat)^2 / sum (y - mean_rows(y))^2, the share of
/// the target's variance (about its per-column mean) left unexplained.
double relativeMse(const Matrix &y, const Matrix &yHat);

/// Column means of x [N, D].
std::vector<float> columnMeans(const Matrix &x);

/// Rows [begin, end) of x.
Matrix sliceRows(const Matrix &x, int64_t begin, int64_t end);

} // namespace lut::fit

#endif
