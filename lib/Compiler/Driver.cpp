//===- Driver.cpp - the compiler as one library call ----------------------===//
#include "lut/Compiler/Driver.h"

#include "lut/Compiler/Compiler.h"
#include "lut/Compiler/LutFlow.h"
#include "lut/HLS/EmitHLSCpp.h"
#include "lut/HLS/Estimate.h"
#include "lut/Pipelines/Pipelines.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

std::string lut::defaultOutputPath(const std::string &input, EmitKind emit) {
  SmallString<256> p(llvm::sys::path::filename(input));
  if (emit == EmitKind::HLS) {
    llvm::sys::path::replace_extension(p, "");
    return (p + "_hls").str();
  }
  llvm::sys::path::replace_extension(p, emit == EmitKind::MLIR     ? ".mlir"
                                        : emit == EmitKind::LLVMIR ? ".ll"
                                        : emit == EmitKind::Object ? ".o"
                                                                   : ".so");
  return p.str().str();
}

void lut::printLutOptionsHelp() {
  llvm::outs() << "--lut=METHOD[:KEY=VALUE,...] takes the options of the lut-convert-mlp "
                  "pass (lists: A+B):\n";
  printConvertMlpOptionsHelp(2);
}

std::string lut::lutOptionsSummary() {
  // Options without a default value (lists, calibration-dir) are left out.
  std::string s;
  SmallVector<StringRef> parts;
  std::string all = printConvertMlpOptions(LutConvertMlpOptions());
  StringRef(all).split(parts, ' ', -1, false);
  for (StringRef p : parts)
    if (!p.ends_with("=") && !p.starts_with("calibration-dir"))
      s += (s.empty() ? "" : " ") + p.str();
  return s;
}

namespace {

/// One run of the driver, with its context and diagnostics.
class DriverRun {
public:
  DriverRun(const lut::DriverOptions &o, llvm::raw_ostream &os)
      : o(o), os(os), context(makeRegistry()), diagHandler(sourceMgr, &context, os) {
    context.loadAllAvailableDialects();
    // Diagnostics name the node or value at fault; a dump of the whole
    // module would bury them.
    context.printOpOnDiagnostic(false);
  }

  lut::DriverStatus run();

private:
  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    lut::registerCompilerDialects(registry);
    lut::registerOnnxImportDialects(registry);
    return registry;
  }

  lut::DriverStatus fail(const Twine &msg,
                         lut::DriverStatus st = lut::DriverStatus::Failure) {
    os << o.toolName << ": error: " << msg << "\n";
    return st;
  }

  lut::DriverStatus load(OwningOpRef<ModuleOp> &module);
  lut::DriverStatus emit(ModuleOp module, const lut::CodegenOptions &cg);
  lut::DriverStatus emitHLS(ModuleOp module, const std::string &dir);

  const lut::DriverOptions &o;
  llvm::raw_ostream &os;
  MLIRContext context;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler;
};

lut::DriverStatus DriverRun::load(OwningOpRef<ModuleOp> &module) {
  if (llvm::sys::path::extension(o.input) == ".mlir") {
    module = parseSourceFile<ModuleOp>(o.input, sourceMgr, ParserConfig(&context));
    return module ? lut::DriverStatus::Success : lut::DriverStatus::Failure;
  }
  lut::OnnxImportOptions opts;
  opts.runChecker = o.runOnnxChecker;
  opts.funcName = o.entry;
  opts.allowExternalDataOutside = o.allowExternalDataOutside;
  std::string err;
  if (!o.shapeInfo.empty() && !lut::parseShapeInfo(o.shapeInfo, opts, err))
    return fail(err);
  if (!o.memoryLimit.empty() &&
      !lut::parseByteSize(o.memoryLimit, opts.memoryLimit, err))
    return fail("--memory-limit: " + err);
  lut::OnnxImportStatus status;
  module = lut::importOnnxFile(o.input, &context, opts, status);
  if (module)
    return lut::DriverStatus::Success;
  return status == lut::OnnxImportStatus::Unsupported ? lut::DriverStatus::Unsupported
                                                      : lut::DriverStatus::Failure;
}

lut::DriverStatus DriverRun::emit(ModuleOp module, const lut::CodegenOptions &cg) {
  std::string out = o.output.empty() ? lut::defaultOutputPath(o.input, o.emit) : o.output;
  std::string err;
  if (o.emit == lut::EmitKind::SharedLibrary)
    return lut::compileToSharedLibrary(module, cg, out, err) ? lut::DriverStatus::Success
                                                            : fail(err);
  if (o.emit == lut::EmitKind::HLS)
    return emitHLS(module, out);
  if (o.emit != lut::EmitKind::MLIR && failed(lut::lowerToLLVMDialect(module, cg)))
    return fail("lowering to the LLVM dialect failed");
  auto file = openOutputFile(out, &err);
  if (!file)
    return fail(err);
  // With locations: they carry the ONNX node names that name the FFNs
  // (blocks.3.mlp) when the output is read back by lut-opt or lutc.
  if (o.emit == lut::EmitKind::MLIR)
    module.print(file->os(), OpPrintingFlags().enableDebugInfo());
  else if (!lut::emitLLVMArtifact(module,
                                  o.emit == lut::EmitKind::LLVMIR ? lut::LLVMArtifact::IR
                                                                  : lut::LLVMArtifact::Object,
                                  cg, file->os(), err))
    return fail(err);
  file->keep();
  return lut::DriverStatus::Success;
}

lut::DriverStatus DriverRun::emitHLS(ModuleOp module, const std::string &dir) {
  if (!lut::hls::findDevice(o.hlsDevice))
    return fail("--hls-device: unknown device '" + o.hlsDevice + "' (known: " +
                lut::hls::deviceNames() + ")");
  if (o.hlsColumnUnroll < 0)
    return fail("--hls-column-unroll must be 0 (chosen) or a positive number of columns");
  if (!(o.hlsClockNs > 0))
    return fail("--hls-clock must be a positive period in ns");
  PassManager pm(module.getContext());
  if (o.configurePassManager && !o.configurePassManager(pm))
    return lut::DriverStatus::Failure;
  lut::LutHlsPipelineOptions hls;
  hls.device = o.hlsDevice;
  hls.columnUnroll = o.hlsColumnUnroll;
  lut::buildLutHlsPipeline(pm, hls);
  if (failed(pm.run(module)))
    return fail("lowering to the HLS level failed");
  lut::hls::HLSProjectOptions project;
  project.device = o.hlsDevice;
  project.clockNs = o.hlsClockNs;
  std::string err;
  if (failed(lut::hls::writeHLSProject(module, dir, project, err)))
    return err.empty() ? lut::DriverStatus::Failure : fail(err);
  os << o.toolName << ": wrote the HLS project " << dir << " (README.md, report.md)\n";
  return lut::DriverStatus::Success;
}

lut::DriverStatus DriverRun::run() {
  if (o.optLevel > 3)
    return fail("-O" + Twine(o.optLevel) + " is not a valid level (use -O0 to -O3)");
  if (o.entry.empty())
    return fail("the entry function name is empty");
  OwningOpRef<ModuleOp> module;
  if (auto st = load(module); st != lut::DriverStatus::Success)
    return st;

  lut::CodegenOptions cg;
  cg.triple = o.triple;
  cg.cpu = o.cpu;
  cg.features = o.features;
  lut::resolveTarget(cg);
  cg.optLevel = o.optLevel;
  cg.ukernels = o.ukernels;
  cg.tile = o.lutTile;
  cg.parallelLoops = o.parallelLoops;
  if (o.denseLibrary >= 0) {
    cg.denseLibrary = o.denseLibrary == 1;
  } else {
#ifdef LUT_DENSE_LINK_ARGS
    cg.denseLibrary =
        o.optLevel >= 1 && llvm::Triple(cg.triple).getArch() ==
                               llvm::Triple(llvm::sys::getProcessTriple()).getArch();
#else
    cg.denseLibrary = false;
#endif
  }
  cg.entry = o.entry;
  if (o.configurePassManager)
    cg.configurePassManager = [this](PassManager &pm) {
      return success(o.configurePassManager(pm));
    };
  if (o.lut.empty() && (o.lutTables != "f32" || o.lutTableScales != "column"))
    return fail("--lut-tables and --lut-table-scales need --lut");
  if (!o.lut.empty()) {
    std::string err;
    lut::LutFlowOptions flow;
    auto convert = lut::parseLutSpec(o.lut, err);
    if (failed(convert))
      return fail(err);
    flow.convert = *convert;
    flow.sequential = o.lutSequential;
    flow.calibrationFiles = o.calibration;
    flow.calibrationLimit = o.calibrationLimit;
    flow.dataFreeSamples = o.dataFreeSamples;
    flow.dumpCalibrationDir = o.dumpCalibration;
    flow.reportPath = o.lutReport;
    flow.progress = o.progress;
    static const std::pair<StringRef, lut::LutTableType> kTableTypes[] = {
        {"f32", lut::LutTableType::f32},
        {"f16", lut::LutTableType::f16},
        {"bf16", lut::LutTableType::bf16},
        {"i8", lut::LutTableType::i8}};
    const auto *type = llvm::find_if(kTableTypes, [&](const auto &t) { return t.first == o.lutTables; });
    if (type == std::end(kTableTypes))
      return fail("--lut-tables must be f32, f16, bf16 or i8, not '" + o.lutTables + "'");
    flow.tableType = type->second;
    if (o.lutTableScales != "column" && o.lutTableScales != "table")
      return fail("--lut-table-scales must be column or table, not '" + o.lutTableScales + "'");
    flow.perTableScales = o.lutTableScales == "table";
    lut::LutFlowReport report;
    if (failed(lut::runLutFlow(*module, flow, cg, report, os, err)))
      return err.empty() ? lut::DriverStatus::Failure : fail(err);
  }
  return emit(*module, cg);
}

} // namespace

lut::DriverStatus lut::runDriver(const DriverOptions &options, std::string *diagnostics) {
  if (!diagnostics) {
    DriverRun run(options, llvm::errs());
    return run.run();
  }
  llvm::raw_string_ostream os(*diagnostics);
  DriverRun run(options, os);
  return run.run();
}
