//===- lutc.cpp - the lut-mlir compiler driver ----------------------------===//
//
// ONNX in; MLIR, LLVM IR, an object or a shared library out. In the manner of
// onnx-mlir's driver and iree-compile:
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
#include "lut/Compiler/Calibration.h"
#include "lut/Compiler/Compiler.h"
#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

namespace {
cl::OptionCategory lutcCat("lutc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | model.mlir>"),
                               cl::Required, cl::cat(lutcCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: the input's name with the "
                                              "extension of --emit)"),
                                cl::value_desc("file"), cl::cat(lutcCat));
enum class Emit { MLIR, LLVM, Obj, Lib };
cl::opt<Emit> emit("emit", cl::desc("What to produce:"), cl::init(Emit::Lib),
                   cl::values(clEnumValN(Emit::MLIR, "mlir", "the imported MLIR, on tensors"),
                              clEnumValN(Emit::LLVM, "llvm", "LLVM IR (.ll) with the model ABI"),
                              clEnumValN(Emit::Obj, "obj", "a relocatable object (.o)"),
                              clEnumValN(Emit::Lib, "lib", "a shared library (.so) [default]")),
                   cl::cat(lutcCat));
cl::opt<std::string> mtriple("mtriple",
                             cl::desc("Target triple, e.g. x86_64-linux-gnu or "
                                      "aarch64-linux-gnu (default: the host)"),
                             cl::cat(lutcCat));
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU, e.g. x86-64-v3, neoverse-n1, or "
                                           "'native' (default: generic)"),
                          cl::cat(lutcCat));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"), cl::Prefix,
                           cl::init(2), cl::cat(lutcCat));
cl::opt<std::string> shapeInfo(
    "shape-info",
    cl::desc("Fix the shapes of graph inputs with dynamic dims: NAME:d0xd1x...[,NAME:...] "
             "(as onnx-mlir's --shapeInformation); -1 keeps the model's dim"),
    cl::cat(lutcCat));
cl::opt<bool> noChecker("no-onnx-checker", cl::desc("Skip ONNX's model checker"),
                        cl::cat(lutcCat));
cl::opt<std::string> lutSpec(
    "lut",
    cl::desc("Replace the FFNs with lookup tables: METHOD[:OPT=VAL,...]. Method 'lsh' "
             "(LookupFFN). Options: tables=H (48), bits=k (8), projection=hidden|random "
             "(hidden), threshold=zero|split (split), only=NAME[+NAME...], skip=NAME[+NAME...], seed=N (0), sweeps=N (8), "
             "ridge=X (20, in samples), holdout=X (0.1), sequential=0|1 (0; 1: calibrate each FFN "
             "on the model whose earlier FFNs are already replaced). Runs lut-detect-mlp, calibration "
             "and lut-convert-mlp; see docs/Passes/LutPasses.md"),
    cl::value_desc("method:options"), cl::cat(lutcCat));
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
                                 cl::desc("Rows (tokens) per FFN for data-free fitting (16384)"),
                                 cl::init(16384), cl::cat(lutcCat));
cl::opt<std::string> lutReport("lut-report",
                               cl::desc("Write the --lut report (per FFN and model totals) as JSON"),
                               cl::value_desc("file.json"), cl::cat(lutcCat));
cl::opt<std::string> dumpCalibration(
    "dump-calibration",
    cl::desc("Write each FFN's calibration pairs as <name>.x.npy and <name>.y.npy into DIR "
             "(lut-opt --lut-convert-mlp=calibration-dir=DIR reads them)"),
    cl::value_desc("dir"), cl::cat(lutcCat));
} // namespace

static int fail(const Twine &msg, int code = 1) {
  errs() << "lutc: error: " << msg << "\n";
  return code;
}

/// Parses --lut=METHOD[:K=V,...] into `o`.
static bool parseLutSpec(StringRef spec, lut::ConvertMlpOptions &o, std::string &err) {
  auto [method, rest] = spec.split(':');
  o.method = method.str();
  if (o.method != "lsh") {
    err = "unknown --lut method '" + o.method + "' (supported: lsh)";
    return false;
  }
  SmallVector<StringRef> kvs;
  rest.split(kvs, ',', -1, false);
  for (StringRef kv : kvs) {
    auto [k, v] = kv.split('=');
    auto num = [&](auto &out) {
      if (v.getAsInteger(10, out)) {
        err = "--lut option '" + k.str() + "' needs an integer, got '" + v.str() + "'";
        return false;
      }
      return true;
    };
    auto real = [&](double &out) {
      if (v.getAsDouble(out)) {
        err = "--lut option '" + k.str() + "' needs a number, got '" + v.str() + "'";
        return false;
      }
      return true;
    };
    auto list = [&](std::vector<std::string> &out) {
      SmallVector<StringRef> names;
      v.split(names, '+', -1, false);
      for (StringRef n : names)
        for (StringRef part : llvm::split(n, ';'))
          if (!part.empty())
            out.push_back(part.str());
      return true;
    };
    bool ok;
    if (k == "tables") ok = num(o.tables);
    else if (k == "bits") ok = num(o.bits);
    else if (k == "projection") { o.projection = v.str(); ok = true; }
    else if (k == "threshold") { o.threshold = v.str(); ok = true; }
    else if (k == "only") ok = list(o.only);
    else if (k == "skip") ok = list(o.skip);
    else if (k == "seed") ok = num(o.seed);
    else if (k == "sweeps") ok = num(o.sweeps);
    else if (k == "ridge") ok = real(o.ridge);
    else if (k == "holdout") ok = real(o.holdout);
    else if (k == "sequential") {
      int64_t b = 0;
      ok = num(b);
      o.sequential = b != 0;
    }
    else {
      err = "unknown --lut option '" + k.str() +
            "' (tables, bits, projection, threshold, only, skip, seed, sweeps, ridge, holdout, sequential)";
      return false;
    }
    if (!ok)
      return false;
  }
  return true;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(lutcCat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lutc: the lut-mlir compiler driver.\n\n"
      "Compiles an ONNX model (opsets 7-17, static shapes) to MLIR, LLVM IR, an\n"
      "object file or a shared library that exports the lut-mlir model ABI\n"
      "(lut_model_run, lut_model_signature; see docs/Runtime.md). Run the\n"
      "library with lut-run. Exit codes: 0 ok, 1 error, 3 unsupported model.\n");
  if (optLevel > 3)
    return fail("-O" + Twine(optLevel) + " is not a valid level (use -O0 to -O3)");

  mlir::DialectRegistry registry;
  lut::registerCompilerDialects(registry);
  lut::registerOnnxImportDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the node or value at fault; a dump of the whole module
  // would bury them.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module;
  StringRef ext = sys::path::extension(inputFile);
  if (ext == ".mlir") {
    module = mlir::parseSourceFile<mlir::ModuleOp>(inputFile, sourceMgr,
                                                   mlir::ParserConfig(&context));
    if (!module)
      return 1;
  } else {
    lut::OnnxImportOptions opts;
    opts.runChecker = !noChecker;
    std::string err;
    if (!shapeInfo.empty() && !lut::parseShapeInfo(shapeInfo, opts, err))
      return fail(err);
    lut::OnnxImportStatus status;
    module = lut::importOnnxFile(inputFile, &context, opts, status);
    if (!module)
      return status == lut::OnnxImportStatus::Unsupported ? 3 : 1;
  }

  std::string out = outputFile;
  if (out.empty()) {
    SmallString<256> p(sys::path::filename(inputFile));
    sys::path::replace_extension(p, emit == Emit::MLIR   ? ".mlir"
                                    : emit == Emit::LLVM ? ".ll"
                                    : emit == Emit::Obj  ? ".o"
                                                         : ".so");
    out = p.str().str();
  }
  const std::string funcName = "main_graph";
  lut::CodegenOptions cg;
  cg.triple = mtriple;
  cg.cpu = mcpu;
  cg.optLevel = optLevel;
  if (!lutSpec.empty()) {
    lut::ConvertMlpOptions copts;
    std::string err;
    if (!parseLutSpec(lutSpec, copts, err))
      return fail(err);
    mlir::PassManager pm(&context);
    pm.addNestedPass<mlir::func::FuncOp>(lut::createLutDetectMlp());
    // Detection remarks are for lut-opt; lutc prints its own table.
    {
      mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &d) {
        return mlir::success(d.getSeverity() == mlir::DiagnosticSeverity::Remark);
      });
      if (failed(pm.run(*module)))
        return fail("FFN detection failed");
    }
    int64_t macsBefore = lut::countMacs(*module);
    if (dataFreeSamples < 1 || dataFreeSamples > 100000000)
      return fail("--data-free-samples must be in [1, 1e8], got " + Twine(dataFreeSamples));
    if (calibrationLimit < 0)
      return fail("--calibration-limit must be >= 0, got " + Twine(calibrationLimit));
    lut::CalibrationOptions calib;
    calib.files.assign(calibration.begin(), calibration.end());
    calib.limit = calibrationLimit;
    calib.dataFreeRows = dataFreeSamples;
    calib.dumpDir = dumpCalibration;
    // Calibration runs on this machine: host code, whatever --mtriple says.
    calib.codegen.optLevel = std::min(2u, (unsigned)optLevel);
    std::map<std::string, lut::CalibrationSet> sets;
    lut::CalibrationProvider provider = [&](lut::MlpOp mlp, lut::CalibrationSet &cs,
                                            std::string &e) {
      auto it = sets.find(mlp.getName().str());
      if (it == sets.end()) {
        e = "no calibration pairs were collected for it";
        return false;
      }
      cs = std::move(it->second);
      return true;
    };
    std::vector<lut::FfnReport> reports;
    mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &d) {
      return mlir::success(d.getSeverity() == mlir::DiagnosticSeverity::Remark);
    });
    // Sequential: one FFN at a time, in program order, each calibrated on
    // the model with the earlier ones replaced. Otherwise all at once.
    std::vector<std::vector<std::string>> rounds;
    if (copts.sequential && !calib.files.empty()) {
      module->walk([&](lut::MlpOp m) {
        std::string n = m.getName().str();
        bool selected = (copts.only.empty() || llvm::is_contained(copts.only, n)) &&
                        !llvm::is_contained(copts.skip, n);
        if (selected)
          rounds.push_back({n});
      });
    }
    if (rounds.empty())
      rounds.push_back(copts.only);
    for (auto &names : rounds) {
      calib.only = names;
      if (!lut::collectCalibration(*module, calib, sets, errs(), err))
        return fail("calibration: " + err);
      lut::ConvertMlpOptions round = copts;
      if (copts.sequential && !calib.files.empty())
        round.only = names;
      std::vector<lut::FfnReport> rs;
      if (failed(lut::convertMlps(*module, round, provider, rs)))
        return 1;
      for (auto &r : rs)
        if (r.status == "converted" || !copts.sequential || calib.files.empty() ||
            &names == &rounds.back())
          reports.push_back(r);
    }
    int64_t macsAfter = lut::countMacs(*module);
    lut::writeReportTable(errs(), reports, macsBefore, macsAfter);
    if (!lutReport.empty()) {
      auto file = mlir::openOutputFile(lutReport, &err);
      if (!file)
        return fail(err);
      lut::writeReportJson(file->os(), reports, macsBefore, macsAfter, copts);
      file->keep();
    }
  }
  std::string err;
  if (emit == Emit::MLIR) {
    auto file = mlir::openOutputFile(out, &err);
    if (!file)
      return fail(err);
    module->print(file->os());
    file->keep();
    return 0;
  }
  if (emit == Emit::Lib)
    return lut::compileToSharedLibrary(*module, funcName, out, cg, err) ? 0 : fail(err);
  std::string signature = lut::buildModelSignature(*module, funcName);
  if (signature.empty())
    return 1;
  if (failed(lut::lowerToLLVMDialect(*module, optLevel)))
    return fail("lowering to the LLVM dialect failed");
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      lut::translateToLLVMIR(*module, llvmContext, funcName, signature, cg, err);
  if (!llvmModule)
    return fail(err);
  auto file = mlir::openOutputFile(out, &err);
  if (!file)
    return fail(err);
  if (emit == Emit::LLVM)
    llvmModule->print(file->os(), nullptr);
  else if (!lut::emitObjectFile(*llvmModule, cg, file->os(), err))
    return fail(err);
  file->keep();
  return 0;
}
