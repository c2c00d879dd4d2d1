//===- lutc.cpp - the lut-mlir compiler driver ----------------------------===//
//
// ONNX in; MLIR, LLVM IR, an object or a shared library out. A thin shell
// over the driver library (include/lut/Compiler/Driver.h):
//
//   lutc model.onnx -o model.so                 # shared library (default)
//   lutc model.onnx --emit=mlir -o model.mlir   # imported MLIR (tensors)
//   lutc model.onnx --emit=llvm -o model.ll     # LLVM IR with the model ABI
//   lutc model.onnx --emit=obj --mtriple=aarch64-linux-gnu -o model.o
//
// Exit codes: 0 success; 1 invalid input or a compilation failure; 3 the
// model is valid but uses something lut-mlir does not support.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/Driver.h"
#include "lut/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/InitAllPasses.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace llvm;

namespace {
cl::OptionCategory lutcCat("lutc options");
cl::OptionCategory mlirCat("MLIR options (IR printing, timing, pass statistics)");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | model.mlir>"),
                               cl::Required, cl::cat(lutcCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: the input's name with the "
                                              "extension of --emit)"),
                                cl::value_desc("file"), cl::cat(lutcCat));
cl::opt<lut::EmitKind> emit(
    "emit", cl::desc("What to produce:"), cl::init(lut::EmitKind::SharedLibrary),
    cl::values(
        clEnumValN(lut::EmitKind::MLIR, "mlir", "the imported (and LUT-converted) MLIR, on tensors"),
        clEnumValN(lut::EmitKind::LLVMIR, "llvm", "LLVM IR (.ll) with the model ABI"),
        clEnumValN(lut::EmitKind::Object, "obj", "a relocatable object (.o)"),
        clEnumValN(lut::EmitKind::SharedLibrary, "lib", "a shared library (.so) [default]"),
        clEnumValN(lut::EmitKind::HLS, "hls",
                   "an HLS project folder (-o DIR; default <model>_hls): C++17 kernels with "
                   "Vitis HLS pragmas, one top per model and per LUT kernel, testbenches, "
                   "run_hls.tcl and a resource report (lut-hls-pipeline; docs/HLS.md)")),
    cl::cat(lutcCat));
cl::opt<std::string> hlsDevice("hls-device",
                               cl::desc("--emit=hls: device family whose BRAM/URAM/DSP/LUT "
                                        "budget bounds the directives and names the default "
                                        "part: xcu250 (default), xcu280, xcvu9p, xczu9eg, "
                                        "xc7z020"),
                               cl::init("xcu250"), cl::cat(lutcCat));
cl::opt<int64_t> hlsColumnUnroll("hls-column-unroll",
                                 cl::desc("--emit=hls: output columns per cycle of every LUT "
                                          "gather (must divide its columns; 0: the largest "
                                          "that fits the device budget)"),
                                 cl::init(0), cl::cat(lutcCat));
cl::opt<double> hlsClock("hls-clock",
                         cl::desc("--emit=hls: clock period of run_hls.tcl, in ns (4)"),
                         cl::init(4.0), cl::cat(lutcCat));
cl::opt<std::string> entry("entry", cl::desc("Name of the model's entry function (main_graph)"),
                           cl::init("main_graph"), cl::cat(lutcCat));
cl::opt<std::string> mtriple("mtriple",
                             cl::desc("Target triple, e.g. x86_64-linux-gnu or "
                                      "aarch64-linux-gnu (default: the host). Shared "
                                      "libraries link for the host's architecture and, "
                                      "with Debian's cross C library in "
                                      "/usr/aarch64-linux-gnu, for aarch64-linux-gnu; "
                                      "other targets need --emit=obj"),
                             cl::cat(lutcCat));
cl::opt<std::string> mcpu("mcpu",
                          cl::desc("Target CPU, e.g. x86-64-v3, neoverse-n1, or 'native' "
                                   "(default: the host's CPU for host builds, generic for "
                                   "other targets)"),
                          cl::cat(lutcCat));
cl::opt<std::string> mattr("mattr",
                           cl::desc("Target features, as LLVM spells them: +avx2,-avx512f "
                                    "(default: the CPU's; the host's for a host CPU). The "
                                    "library records them and refuses to run on a CPU that "
                                    "lacks one"),
                           cl::cat(lutcCat));
cl::opt<unsigned> optLevel("O",
                           cl::desc("Optimization level 0-3 (default 2): the MLIR passes of "
                                    "lut-to-llvm-pipeline's opt-level and LLVM's -O level "
                                    "(docs/Architecture.md)"),
                           cl::Prefix, cl::init(2), cl::cat(lutcCat));
cl::opt<bool> ukernels("ukernels",
                       cl::desc("Lower lut.gather_sum, lut.lsh_encode, lut.thermometer and "
                                "lut.lut to the LutKernels "
                                "microkernels (AVX-512, AVX2, NEON or scalar, chosen at run "
                                "time), linked into the model (default: on; off: the linalg "
                                "reference lowering)"),
                       cl::init(true), cl::cat(lutcCat));
cl::opt<bool> parallelLoops("parallel-loops",
                            cl::desc("At -O1 and above, run the large loops around the library "
                                     "calls (softmax, LayerNorm, GELU, adds, transposes) on the "
                                     "LUT_NUM_THREADS threads (lut-outline-parallel-loops; "
                                     "default: on; off: they run on the calling thread)"),
                            cl::init(true), cl::cat(lutcCat));
cl::opt<bool> lutTile("lut-tile",
                      cl::desc("Tile lut.gather_sum and lut.lsh_encode into loops over blocks of "
                               "tokens and of table columns sized to the target's L1/L2 caches "
                               "(the lut-tile pass; default: off, the microkernels block on "
                               "their own)"),
                      cl::init(false), cl::cat(lutcCat));
cl::opt<cl::boolOrDefault> denseLibrary(
    "dense-library",
    cl::desc("Lower f32 matrix products to the LutDense library (oneDNN or OpenBLAS "
             "underneath, as lut-mlir was configured), linked into the model; it runs on "
             "LUT_NUM_THREADS threads (default: the CPUs the process may run on). Default: on for the host's architecture "
             "when lut-mlir was built with LutDense, off for cross targets (and for -O0); "
             "--dense-library=false keeps the loop lowering"),
    cl::cat(lutcCat));
cl::opt<std::string> shapeInfo(
    "shape-info",
    cl::desc("Fix the shapes of graph inputs with dynamic dims: NAME:d0xd1x...[,NAME:...] "
             "(as onnx-mlir's --shapeInformation); -1 keeps the model's dim. Without it, "
             "dynamic dims stay dynamic: the model runs at any size"),
    cl::cat(lutcCat));
cl::opt<bool> noChecker("no-onnx-checker",
                        cl::desc("Skip ONNX's model checker (node schemas, tensor sizes "
                                 "and external-data confinement are still checked)"),
                        cl::cat(lutcCat));
cl::opt<bool> allowExternalOutside(
    "allow-external-data-outside",
    cl::desc("Read external data from outside the model's folder (absolute locations, "
             "'..', symbolic links that leave it). Off by default, as in ONNX >= 1.14: "
             "a model from elsewhere must not read your files"),
    cl::cat(lutcCat));
cl::opt<std::string> memoryLimit(
    "memory-limit",
    cl::desc("The most memory the model may ask for: the sum of its initializers and "
             "constants, and any one tensor it computes; SIZE with an optional K, M, G or T "
             "suffix (default: the machine's physical memory). Over it is an error before "
             "anything is allocated"),
    cl::value_desc("size"), cl::cat(lutcCat));
cl::opt<std::string> lutSpec("lut", cl::value_desc("method[:key=value,...]"), cl::cat(lutcCat));
cl::opt<bool> lutSequential(
    "lut-sequential",
    cl::desc("With --calibration: calibrate each FFN on the model whose earlier FFNs are "
             "already replaced (one compile and calibration run per FFN)"),
    cl::cat(lutcCat));
cl::list<std::string> calibration(
    "calibration",
    cl::desc("Calibration inputs for --lut: one .npy or ONNX TensorProto .pb file per graph "
             "input (repeat, or separate with commas), in graph-input order, or one .npz "
             "whose arrays are the inputs (by graph-input name, else in order). The leading "
             "dimension may exceed the model's batch and is split into batches. Without it, "
             "the tables are fitted on data-free samples drawn from the affine parameters of "
             "the normalization before each FFN"),
    cl::CommaSeparated, cl::value_desc("file"), cl::cat(lutcCat));
cl::opt<int64_t> calibrationLimit("calibration-limit",
                                  cl::desc("Use at most N calibration samples (0: all)"),
                                  cl::init(0), cl::cat(lutcCat));
cl::opt<int64_t> dataFreeSamples("data-free-samples",
                                 cl::desc("Rows (tokens) per FFN for data-free fitting, in "
                                          "[2, 1e8] (16384)"),
                                 cl::init(16384), cl::cat(lutcCat));
cl::opt<std::string> lutTables(
    "lut-tables",
    cl::desc("Element type of the fitted tables in the compiled model (lut-pack-tables): "
             "f32, f16, bf16, or i8 with one f32 scale per output column (sums in "
             "integers); the report's fit errors are those of the f32 fit"),
    cl::init("f32"), cl::value_desc("type"), cl::cat(lutcCat));
cl::opt<std::string> lutTableScales(
    "lut-table-scales",
    cl::desc("With --lut-tables=i8: 'column' (one scale per output column, shared by all "
             "tables) or 'table' (one per table and column; sums in f32)"),
    cl::init("column"), cl::value_desc("column|table"), cl::cat(lutcCat));
cl::opt<std::string> lutReport("lut-report",
                               cl::desc("Write the --lut report (per FFN and model totals) as JSON"),
                               cl::value_desc("file.json"), cl::cat(lutcCat));
cl::opt<std::string> dumpCalibration(
    "dump-calibration",
    cl::desc("Write each FFN's calibration pairs as <name>.x.npy and <name>.y.npy into DIR "
             "(lut-opt --lut-ffn-pipeline='calibration-dir=DIR ...' reads them)"),
    cl::value_desc("dir"), cl::cat(lutcCat));
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  // Registered so that --mlir-print-ir-after=<pass> and friends know every
  // pass name that lutc's pipelines run.
  mlir::registerAllPasses();
  lut::registerAllPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  // The --lut keys are lut-convert-mlp's options, described by the pass.
  static std::string lutDesc =
      "Replace the FFNs with lookup tables: runs lut-detect-mlp, native calibration and "
      "lut-convert-mlp, and prints a report. The keys are lut-convert-mlp's options "
      "(lists as A+B; defaults: " +
      lut::lutOptionsSummary() + "); --lut=help describes them";
  lutSpec.setDescription(lutDesc);
  for (auto &kv : cl::getRegisteredOptions())
    if (kv.first.starts_with("mlir-"))
      kv.second->addCategory(mlirCat);
  cl::HideUnrelatedOptions({&lutcCat, &mlirCat});
  if (argc == 2 && (StringRef(argv[1]) == "--lut=help" || StringRef(argv[1]) == "-lut=help")) {
    lut::printLutOptionsHelp();
    return 0;
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "lutc: the lut-mlir compiler driver.\n\n"
      "Compiles an ONNX model (static or dynamic shapes) to MLIR, LLVM IR, an\n"
      "object file or a shared library that exports the lut-mlir model ABI\n"
      "(lut_model_run, lut_model_signature; see docs/Runtime.md), or to an HLS\n"
      "C++ project for FPGA flows (--emit=hls; docs/HLS.md). Run the\n"
      "library with lut-run. Exit codes: 0 ok, 1 error, 3 unsupported model.\n");
  if (lutSpec == "help") {
    lut::printLutOptionsHelp();
    return 0;
  }

  lut::DriverOptions o;
  o.input = inputFile;
  o.output = outputFile;
  o.emit = emit;
  o.entry = entry;
  o.shapeInfo = shapeInfo;
  o.runOnnxChecker = !noChecker;
  o.allowExternalDataOutside = allowExternalOutside;
  o.memoryLimit = memoryLimit;
  o.triple = mtriple;
  o.cpu = mcpu;
  o.features = mattr;
  o.optLevel = optLevel;
  o.ukernels = ukernels;
  o.lutTile = lutTile;
  o.parallelLoops = parallelLoops;
  o.denseLibrary = denseLibrary == cl::BOU_UNSET  ? -1
                   : denseLibrary == cl::BOU_TRUE ? 1
                                                  : 0;
  o.lut = lutSpec;
  o.lutSequential = lutSequential;
  o.calibration.assign(calibration.begin(), calibration.end());
  o.calibrationLimit = calibrationLimit;
  o.dataFreeSamples = dataFreeSamples;
  o.lutReport = lutReport;
  o.lutTables = lutTables;
  o.lutTableScales = lutTableScales;
  o.dumpCalibration = dumpCalibration;
  o.hlsDevice = hlsDevice;
  o.hlsColumnUnroll = hlsColumnUnroll;
  o.hlsClockNs = hlsClock;
  o.configurePassManager = [](mlir::PassManager &pm) {
    if (failed(mlir::applyPassManagerCLOptions(pm)))
      return false;
    mlir::applyDefaultTimingPassManagerCLOptions(pm);
    return true;
  };
  if (lutSpec.getNumOccurrences() > 0 && lutSpec.empty()) {
    errs() << "lutc: error: --lut needs a method, e.g. --lut=lsh or --lut=lsh:tables=48,bits=8\n";
    return 1;
  }
  return static_cast<int>(lut::runDriver(o));
}
