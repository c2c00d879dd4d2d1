//===- ConvertMlp.h - replace lut.mlp regions with fitted LUT ops -*- C++ -*-===//
//
// The C++ API behind `lut-convert-mlp` (Passes.td), for drivers such as lutc
// that supply calibration data from native runs of the dense model.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_TRANSFORMS_CONVERTMLP_H
#define LUT_DIALECT_LUT_TRANSFORMS_CONVERTMLP_H

#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
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

/// The options of the conversion are `LutConvertMlpOptions`, generated
/// from the pass's TableGen definition (Passes.td): one definition for
/// lut-opt, the pipelines, lutc's `--lut` and the C++ API.

/// Parses options in the pass-option syntax (`method=lsh tables=48 bits=8
/// only=a,b`) with the pass's own parser. Unknown names and bad values go to
/// `errorHandler` (which the parser calls with a message naming the option)
/// and give failure.
llvm::FailureOr<LutConvertMlpOptions>
parseConvertMlpOptions(llvm::StringRef text,
                       llvm::function_ref<llvm::LogicalResult(const llvm::Twine &)>
                           errorHandler);

/// The options as pass-option text (every option, defaults included), the
/// inverse of parseConvertMlpOptions.
std::string printConvertMlpOptions(const LutConvertMlpOptions &options);

/// Prints the options' help (name, value type, description, accepted values)
/// to llvm::outs(), as `--help` does for pass options, indented by `indent`.
void printConvertMlpOptionsHelp(size_t indent = 2);

/// The printed value of one option (e.g. "lsh" for "method"), from the
/// same printer; empty when there is no such option.
std::string convertMlpOptionValue(const LutConvertMlpOptions &options,
                                  llvm::StringRef name);

/// True when `name` is selected by `only`/`skip`.
bool isSelectedFfn(const LutConvertMlpOptions &options, llvm::StringRef name);

/// What the conversion did to one FFN (one row of the lut-report).
struct FfnReport {
  std::string name, activation, projection, status; ///< status: converted | skipped: why
  int64_t dModel = 0, dFF = 0, dOut = 0, tables = 0, bits = 0;
  int64_t macsPerTokenBefore = 0, macsPerTokenAfter = 0;
  int64_t tableBytes = 0;
  int64_t trainRows = 0, heldoutRows = 0;
  double trainRelMse = 0, heldoutRelMse = 0;
  /// The stored element type of the tables (report-table-type) and the
  /// held-out relative MSE of the tables rounded to it (== heldoutRelMse
  /// for f32).
  std::string tableType = "f32";
  double heldoutRelMseStored = 0;
  bool dataFree = false;
};

/// Checks the option values against their ranges and every `only`/`skip`
/// name against the `lut.mlp` names in `module` (see the pass's Errors);
/// emits an error on the module and fails on the first violation.
llvm::LogicalResult verifyConvertMlpOptions(mlir::ModuleOp module,
                                            const LutConvertMlpOptions &options);

/// Replaces every selected `lut.mlp` in `module` by `lut.lsh_encode` +
/// `lut.gather_sum` with tables fitted to the pairs from `provider`
/// (LookupFFN, Zeng et al., ICML 2024). Appends one report per lut.mlp
/// (converted or skipped). Fails, with an error on the op or the module, on
/// a bad option value (see the pass's Errors) or a provider failure.
llvm::LogicalResult convertMlps(mlir::ModuleOp module,
                                const LutConvertMlpOptions &options,
                                const CalibrationProvider &provider,
                                std::vector<FfnReport> &reports);

/// Creates the conversion pass with in-memory calibration: `provider`
/// supplies each FFN's pairs (instead of `calibration-dir`), and `reports`,
/// when not null, receives one report per `lut.mlp`.
std::unique_ptr<mlir::Pass>
createLutConvertMlpPass(const LutConvertMlpOptions &options,
                        CalibrationProvider provider,
                        std::vector<FfnReport> *reports = nullptr);

/// Multiply-accumulates of one inference of `module`'s function `func`:
/// contractions (linalg matmul-like and convolution generics) and lut ops
/// (lut.lsh_encode's projection; lut.gather_sum multiplies only with
/// weights or i8 scales: per table and column with weights or H x M scales,
/// once per output with M scales). Elementwise multiplies are not counted.
/// Dynamic dims count as 1 (the count is then per unit of each: per sample
/// for a dynamic batch, per token for a dynamic sequence).
int64_t countMacs(mlir::ModuleOp module);

/// Writes the report as JSON (model totals and one object per FFN).
void writeReportJson(llvm::raw_ostream &os, const std::vector<FfnReport> &ffns,
                     int64_t macsBefore, int64_t macsAfter,
                     const LutConvertMlpOptions &options);

/// Writes the report as a readable table.
void writeReportTable(llvm::raw_ostream &os, const std::vector<FfnReport> &ffns,
                      int64_t macsBefore, int64_t macsAfter);

} // namespace lut

#endif
