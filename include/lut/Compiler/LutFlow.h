//===- LutFlow.h - FFN detection, calibration, conversion, report -*- C++ -*-===//
//
// The LUT flow of lutc as a library entry point: detect the FFN blocks
// (lut-detect-mlp), count multiply-accumulates, collect calibration pairs by
// running the dense model natively (Calibration.h), replace the FFNs with
// fitted lookup-table ops (lut-convert-mlp) in one round or one FFN at a
// time, and report per FFN and for the model.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_LUTFLOW_H
#define LUT_COMPILER_LUTFLOW_H

#include "lut/Compiler/Compiler.h"
#include "lut/Compiler/Driver.h"
#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"

#include <string>
#include <vector>

namespace lut {

/// Options of the LUT flow: lut-convert-mlp's own options plus the
/// driver-only settings (where calibration data comes from, rounds, output).
struct LutFlowOptions {
  LutConvertMlpOptions convert;
  /// Calibrate FFN i on the model whose FFNs 0..i-1 are already replaced
  /// (each fit then sees the inputs it will get), instead of on the dense
  /// model. Costs one compile and calibration run per FFN. Only with data.
  bool sequential = false;
  /// Calibration inputs (Calibration.h): one .npy/.pb per graph input, or
  /// one .npz. Empty: data-free sampling.
  std::vector<std::string> calibrationFiles;
  /// Use at most this many samples (0: all).
  int64_t calibrationLimit = 0;
  /// Rows (tokens) per FFN in data-free mode, in [2, 1e8].
  int64_t dataFreeSamples = 16384;
  /// Write each FFN's pairs as <name>.x.npy / <name>.y.npy here.
  std::string dumpCalibrationDir;
  /// Write the JSON report here (empty: none).
  std::string reportPath;
  /// After conversion, store the tables as this type (lut-pack-tables;
  /// f32: unchanged), with i8 scales per table and column when set.
  LutTableType tableType = LutTableType::f32;
  bool perTableScales = false;
  /// Progress of calibration (CalibrationOptions::progress) and of fitting
  /// ("fitting", one unit per FFN); empty: none.
  ProgressFn progress;
};

/// What the flow did.
struct LutFlowReport {
  std::vector<FfnReport> ffns;
  /// Multiply-accumulates of one inference before and after (countMacs).
  int64_t macsBefore = 0, macsAfter = 0;
};

/// Runs the flow on `module` (on tensors, entry `codegen.entry`) in place.
/// Calibration models are compiled for the host with `codegen`'s entry and
/// opt level (at most 2). Progress and the report table go to `log`.
/// Fails with diagnostics on the module, or with `error` set for driver-level
/// failures (bad option values, calibration files, report file).
llvm::LogicalResult runLutFlow(mlir::ModuleOp module, const LutFlowOptions &options,
                               const CodegenOptions &codegen, LutFlowReport &report,
                               llvm::raw_ostream &log, std::string &error);

/// Parses lutc's `--lut=METHOD[:KEY=VALUE,...]` (lists separated by `+`)
/// into lut-convert-mlp's options with the pass's own option parser.
/// Fails with `error` naming the key at fault: an unknown key or value, a
/// key given twice, an empty spec.
llvm::FailureOr<LutConvertMlpOptions> parseLutSpec(llvm::StringRef spec,
                                                   std::string &error);

} // namespace lut

#endif
