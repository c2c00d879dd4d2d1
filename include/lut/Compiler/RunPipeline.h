//===- RunPipeline.h - a textual pass pipeline on MLIR text -----*- C++ -*-===//
//
// What `lut-opt --pass-pipeline=...` does, as a library call on strings, for
// bindings (the Python module's `lutmlir.ir.run_pipeline`): every upstream
// dialect and pass, the lut dialect, lut-mlir's passes and its registered
// pipelines. Standard types only, like Driver.h.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_RUNPIPELINE_H
#define LUT_COMPILER_RUNPIPELINE_H

#include "lut/Compiler/Driver.h"

#include <cstdint>
#include <string>

namespace lut {

/// Parses `mlirText` (a module in MLIR's textual form, called `bufferName`
/// in diagnostics), runs `pipeline` on it and prints the result to `output`
/// (with `loc(...)` locations when `debugInfo`).
///
/// `pipeline` is MLIR's textual pipeline anchored on the module, as
/// `lut-opt --pass-pipeline` takes it: `builtin.module(canonicalize,
/// func.func(cse), lut-ffn-pipeline)`. Pass and pipeline registration
/// happens once per process, on first use.
///
/// Returns Success, or Failure with `diagnostics` holding MLIR's
/// diagnostics (`bufferName:line:col: error: ...`) for a parse error in the
/// text, an unknown pass or option or a wrong anchor in `pipeline`, or a pass
/// that failed. `output` is set only on success. Thread-safe: each call has
/// its own MLIRContext.
DriverStatus runPassPipeline(const std::string &mlirText, const std::string &pipeline,
                             std::string &output, std::string &diagnostics,
                             const std::string &bufferName = "<input>",
                             bool debugInfo = false);

/// Multiply-accumulates of one inference of the module in `mlirText` (MLIR
/// on tensors: the importer's output, or after lut passes), counted as the
/// `--lut-report` counts them (lut::countMacs): contractions and the
/// multiplying lut ops, not elementwise multiplies; a dynamic dim counts as
/// 1. Returns Failure with located diagnostics when the text does not
/// parse.
DriverStatus countModelMacs(const std::string &mlirText, int64_t &macs,
                            std::string &diagnostics,
                            const std::string &bufferName = "<input>");

} // namespace lut

#endif
