//===- Calibration.h - calibration pairs from native runs -------*- C++ -*-===//
//
// Supplies lut-convert-mlp with calibration pairs (x, FFN(x)) for every
// `lut.mlp` of a module, computed by native code, not by an interpreter:
//
//  1. inputs x: with calibration data, a variant of the model whose outputs
//     also include every lut.mlp input ("taps") is compiled to a shared
//     library and run on the calibration tensors, batch by batch; without
//     data, x is sampled ("data-free") from N(beta, gamma^2) with the
//     affine parameters of the normalization feeding the FFN (N(0, 1) when
//     none is found);
//  2. targets y: each lut.mlp body is compiled alone and run on x.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_CALIBRATION_H
#define LUT_COMPILER_CALIBRATION_H

#include "lut/Compiler/Compiler.h"
#include "lut/Compiler/Driver.h"
#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"

#include <map>
#include <string>
#include <vector>

namespace lut {

struct CalibrationOptions {
  /// One file per graph input (.npy or ONNX TensorProto .pb), in graph-input
  /// order. The leading dimension may exceed the model's batch; it is then
  /// split into batches (a remainder smaller than one batch is dropped).
  /// Empty: data-free sampling.
  std::vector<std::string> files;
  /// Use at most this many samples (leading-dim entries); 0: all.
  int64_t limit = 0;
  /// Rows (tokens) drawn per FFN in data-free mode.
  int64_t dataFreeRows = 16384;
  uint64_t seed = 0;
  /// How the calibration models are compiled (host code; `entry` names the
  /// model's entry function).
  CodegenOptions codegen;
  /// Write <name>.x.npy / <name>.y.npy here (for lut-opt's calibration-dir).
  std::string dumpDir;
  /// Collect only for these lut.mlp names (empty: all).
  std::vector<std::string> only;
  /// Told of each calibration batch run ("calibration") and each FFN body
  /// run on its inputs ("calibration targets"); empty: none.
  ProgressFn progress;
};

/// Collects the pairs for every lut.mlp in `module` (which must still be on
/// tensors, with `opts.codegen.entry` as its entry). Prints progress to `log`.
/// Returns false with `error` on bad files (count, dtype or shape naming the
/// file), compilation or run failures.
bool collectCalibration(mlir::ModuleOp module, const CalibrationOptions &opts,
                        std::map<std::string, CalibrationSet> &sets,
                        llvm::raw_ostream &log, std::string &error);

} // namespace lut

#endif
