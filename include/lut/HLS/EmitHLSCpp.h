//===- EmitHLSCpp.h - HLS C++ from the HLS level of IR ----------*- C++ -*-===//
//
// The HLS backend's translation, in the manner of ScaleHLS's EmitHLSCpp:
// from a module at the HLS level (func.func of affine/scf loops on
// statically shaped memrefs, arith, math, and lut.gather_sum/lut.lsh_encode
// on memrefs, with lut.hls_* directive attributes; lut-hls-pipeline
// produces it) to C++17 that any C++ compiler builds (C simulation) and
// Vitis HLS synthesizes as is. docs/HLS.md describes the level, the output
// and the project folder.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_HLS_EMITHLSCPP_H
#define LUT_HLS_EMITHLSCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace lut::hls {

/// Writes `module` as one self-contained C++ file: a prelude, the globals
/// (as `static const` arrays; tables inside the function that reads them,
/// with BIND_STORAGE and ARRAY_PARTITION/ARRAY_RESHAPE), and one function per
/// func.func (tops with INTERFACE pragmas). Memrefs are flat arrays
/// (`float x[N]`, N elements) except partitioned globals, which keep their
/// dims. Element types: f32 -> float, f64 -> double, i1 -> bool,
/// i8..i64 -> int8_t..int64_t, index -> int.
///
/// Errors (on the op, with its location; nothing useful is written then):
/// an op outside the HLS level, a dynamic shape or dynamic strides, an
/// element type other than the above (f16/bf16 tables included), a
/// function with results, a call passing a view, a global whose data
/// cannot be read.
mlir::LogicalResult emitHLSCpp(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Options of the project folder.
struct HLSProjectOptions {
  /// Device family for the report and run_hls.tcl's default part (one of
  /// lut/HLS/Estimate.h's devices()).
  std::string device = "xcu250";
  /// Clock period for run_hls.tcl, in ns.
  double clockNs = 4.0;
};

/// Writes the HLS project folder `dir` (created if missing): kernel.h
/// (the top functions), kernel.cpp (emitHLSCpp), tb_<top>.cpp per top
/// function (reads `data/<top>/<arg>.bin` raw little-endian inputs, runs
/// the top once per sample they hold, compares with `<output>.expected.bin`
/// when present and reports the maximum error), run_hls.tcl (csim, csynth,
/// cosim with Vitis HLS; top, part, steps and clock as -tclargs),
/// report.json and report.md (resource and latency estimates), and a
/// README.md. Returns failure with `error` set (or diagnostics emitted on
/// the module) when a file cannot be written or the emission fails.
mlir::LogicalResult writeHLSProject(mlir::ModuleOp module, llvm::StringRef dir,
                                    const HLSProjectOptions &options, std::string &error);

/// `name` as a C identifier: other characters become `_`; a name that is
/// empty, starts with a digit or `_`, is `fallback` (prefixed to it); a C++
/// keyword gets a trailing `_`.
std::string cIdentifier(llvm::StringRef name, llvm::StringRef fallback);

} // namespace lut::hls

#endif
