//===- Driver.h - the compiler as one library call --------------*- C++ -*-===//
//
// lutc's whole job as a library entry point, in the spirit of iree-compile's
// library and CIRCT's firtool library: read a model (ONNX or MLIR), run the
// LUT flow when asked, and write MLIR, LLVM IR, an object or a shared
// library. lutc, lut-translate and the Python module are thin shells over
// it. This header uses only standard types, so that bindings can include it
// without MLIR's headers.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_DRIVER_H
#define LUT_COMPILER_DRIVER_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir {
class PassManager;
} // namespace mlir

namespace lut {

/// Progress of a long step: `stage` ("calibration", "calibration targets",
/// "fitting"), then `done` of `total` units finished (batches of calibration
/// samples, FFNs; "fitting" is also told, with the FFNs finished so far,
/// when each fit starts). Called on the compiling thread; the last call of a
/// stage has `done` == `total`.
using ProgressFn =
    std::function<void(const std::string &stage, int64_t done, int64_t total)>;

/// What the driver writes.
enum class EmitKind {
  MLIR,          ///< the imported (and LUT-converted) MLIR, on tensors
  LLVMIR,        ///< LLVM IR (.ll) with the model ABI
  Object,        ///< a relocatable object (.o)
  SharedLibrary, ///< a shared library (.so) exporting the model ABI
  HLS,           ///< an HLS project folder: C++ kernels, testbenches, script
};

/// Exit status of a driver run; the numbers are lutc's exit codes.
enum class DriverStatus {
  Success = 0,
  /// Invalid input or a compilation failure.
  Failure = 1,
  /// The model is valid but uses something lut-mlir does not support.
  Unsupported = 3,
};

/// Everything lutc's command line can say.
struct DriverOptions {
  /// The model: an ONNX file, or an `.mlir` file on tensors.
  std::string input;
  /// The output file; empty: the input's file name with the extension of
  /// `emit`, in the current directory.
  std::string output;
  EmitKind emit = EmitKind::SharedLibrary;
  /// Name of the model's entry function (importer, pipelines, ABI).
  std::string entry = "main_graph";
  /// Tool name that prefixes driver-level errors ("lutc: error: ...").
  std::string toolName = "lutc";

  // Import (ONNX).
  /// `NAME:d0xd1...[,NAME:...]` fixing dynamic input dims.
  std::string shapeInfo;
  /// Run ONNX's checker before importing.
  bool runOnnxChecker = true;
  /// Read external data outside the model's folder (off: an error).
  bool allowExternalDataOutside = false;
  /// `SIZE[K|M|G|T]`: the most memory the model may ask for (the sum of its
  /// initializers and constants, and any one tensor); empty: physical RAM.
  std::string memoryLimit;

  // Code generation.
  std::string triple; ///< empty: the host
  /// Empty: the host's CPU for the host's architecture, else generic;
  /// "native": the host's CPU.
  std::string cpu;
  /// LLVM features (`+avx2,-avx512f`); empty: the CPU's (the host's
  /// features for a host CPU).
  std::string features;
  unsigned optLevel = 2;
  bool ukernels = true;      ///< CodegenOptions::ukernels
  bool lutTile = false;      ///< CodegenOptions::tile (lut-tile)
  bool parallelLoops = true; ///< CodegenOptions::parallelLoops
  /// Lower f32 products to LutDense (CodegenOptions::denseLibrary): 1 on,
  /// 0 off, -1 on for the host's architecture when lut-mlir was built
  /// with LutDense (and -O1 or more), else off.
  int denseLibrary = -1;

  // The LUT flow; off when `lut` is empty.
  /// `METHOD[:KEY=VALUE,...]`: lut-convert-mlp's options (lists as A+B).
  std::string lut;
  bool lutSequential = false;
  std::vector<std::string> calibration;
  int64_t calibrationLimit = 0;
  int64_t dataFreeSamples = 16384;
  std::string lutReport;
  std::string dumpCalibration;
  /// Stored table type after fitting: "f32" (unchanged), "f16", "bf16" or
  /// "i8" (lut-pack-tables); i8 scales "column" (shared by all tables) or
  /// "table" (per table and column).
  std::string lutTables = "f32";
  std::string lutTableScales = "column";

  // HLS (EmitKind::HLS).
  /// Device family of lut-hls-directives and the report (xcu250, ...).
  std::string hlsDevice = "xcu250";
  /// Output columns per cycle of every lut.gather_sum; 0: chosen.
  int64_t hlsColumnUnroll = 0;
  /// Clock period of run_hls.tcl, in ns.
  double hlsClockNs = 4.0;

  /// Called on each pass manager that runs on the model (lutc applies
  /// MLIR's --mlir-print-ir-*, --mlir-timing, ... options here); returning
  /// false aborts the run.
  std::function<bool(mlir::PassManager &)> configurePassManager;
  /// Called as calibration and fitting advance (the Python module's
  /// progress callback and tqdm bar); empty: none.
  ProgressFn progress;
};

/// Runs the whole compilation. Diagnostics (with source locations) and
/// progress go to `diagnostics` when given, else to stderr.
DriverStatus runDriver(const DriverOptions &options, std::string *diagnostics = nullptr);

/// The default output name for `input` and `emit` (see DriverOptions).
std::string defaultOutputPath(const std::string &input, EmitKind emit);

/// Prints lut-convert-mlp's options (the keys of `--lut`) to stdout.
void printLutOptionsHelp();

/// The default `--lut` keys and values as one line (for help texts).
std::string lutOptionsSummary();

} // namespace lut

#endif
