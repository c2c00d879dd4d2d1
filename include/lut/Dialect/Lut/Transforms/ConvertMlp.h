//===- ConvertMlp.h - replace lut.mlp regions with fitted LUT ops -*- C++ -*-===//
//
// The C++ API behind `lut-convert-mlp` (Passes.td), for drivers such as lutc
// that supply calibration data from native runs of the dense model.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_TRANSFORMS_CONVERTMLP_H
#define LUT_DIALECT_LUT_TRANSFORMS_CONVERTMLP_H

#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Fit/LshFit.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace lut {

/// Calibration pairs for one FFN: inputs x [N, d_model] and the dense FFN's
/// outputs y [N, d_out] (rows are tokens), in f32.
struct CalibrationSet {
  fit::Matrix x, y;
  /// True when x was sampled without data (see lutc --help).
  bool dataFree = false;
};

/// Supplies the calibration pairs of one `lut.mlp`; returns false with
/// `error` set when it cannot.
using CalibrationProvider =
    std::function<bool(MlpOp, CalibrationSet &, std::string &error)>;

/// Options of the conversion (the pass options of lut-convert-mlp).
struct ConvertMlpOptions {
  std::string method = "lsh";
  int64_t tables = 48;           ///< H
  int64_t bits = 8;              ///< k
  std::string projection = "hidden"; ///< hidden | random
  /// Hyperplane offsets: "zero" (the units' own biases: sign of the
  /// pre-activation) or "split" (fit::splitOffsets on the calibration rows).
  std::string threshold = "split";
  std::vector<std::string> only, skip;
  uint64_t seed = 0;
  int sweeps = 8;
  double ridge = 20.0;           ///< in samples
  double holdout = 0.1;          ///< share of rows held out for the report
  /// Driver-level: calibrate FFN i on the model with FFNs 0..i-1 already
  /// replaced (so that each fit sees the inputs it will get), instead of on
  /// the dense model. Costs one compile and calibration run per FFN.
  bool sequential = false;
};

/// What the conversion did to one FFN (one row of the lut-report).
struct FfnReport {
  std::string name, activation, projection, status; ///< status: converted | skipped: why
  int64_t dModel = 0, dFF = 0, dOut = 0, tables = 0, bits = 0;
  int64_t macsPerTokenBefore = 0, macsPerTokenAfter = 0;
  int64_t tableBytes = 0;
  int64_t trainRows = 0, heldoutRows = 0;
  double trainRelMse = 0, heldoutRelMse = 0;
  bool dataFree = false;
};

/// Replaces every selected `lut.mlp` in `module` by `lut.lsh_encode` +
/// `lut.gather_sum` with tables fitted to the pairs from `provider`
/// (LookupFFN, Zeng et al., ICML 2024). Appends one report per lut.mlp
/// (converted or skipped). Fails, with an error on the op, on a bad option
/// or a provider failure.
llvm::LogicalResult convertMlps(mlir::ModuleOp module,
                                const ConvertMlpOptions &options,
                                const CalibrationProvider &provider,
                                std::vector<FfnReport> &reports);

/// Multiply-accumulates of one inference of `module`'s function `func`:
/// contractions (linalg matmul-like and convolution generics) and lut ops
/// (lut.lsh_encode's projection; lut.gather_sum only multiplies with weights
/// or scales). Elementwise multiplies are not counted.
int64_t countMacs(mlir::ModuleOp module);

/// Writes the report as JSON (model totals and one object per FFN).
void writeReportJson(llvm::raw_ostream &os, const std::vector<FfnReport> &ffns,
                     int64_t macsBefore, int64_t macsAfter,
                     const ConvertMlpOptions &options);

/// Writes the report as a readable table.
void writeReportTable(llvm::raw_ostream &os, const std::vector<FfnReport> &ffns,
                      int64_t macsBefore, int64_t macsAfter);

} // namespace lut

#endif
