//===- LutFlow.cpp - FFN detection, calibration, conversion, report -------===//
#include "lut/Compiler/LutFlow.h"

#include "lut/Compiler/Calibration.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/ToolOutputFile.h"

#include <map>

using namespace mlir;

FailureOr<lut::LutConvertMlpOptions> lut::parseLutSpec(StringRef spec, std::string &error) {
  if (spec.trim().empty()) {
    error = "--lut needs a method, e.g. --lut=lsh or --lut=lsh:tables=48,bits=8";
    return failure();
  }
  auto [method, rest] = spec.split(':');
  // METHOD:K=V,K=V with lists as A+B becomes the pass syntax "method=M K=V
  // K=A,B"; a key may appear once.
  std::string text = ("method=" + method.trim()).str();
  llvm::StringSet<> seen;
  SmallVector<StringRef> kvs;
  rest.split(kvs, ',', -1, false);
  for (StringRef kv : kvs) {
    auto [k, v] = kv.split('=');
    k = k.trim();
    if (k == "method" || !seen.insert(k).second) {
      error = ("--lut option '" + k + "' is given twice").str();
      return failure();
    }
    if (!kv.contains('=') || v.empty()) {
      error = ("--lut option '" + k + "' needs a value (" + k + "=VALUE)").str();
      return failure();
    }
    std::string value = v.str();
    std::replace(value.begin(), value.end(), '+', ',');
    text += (" " + k + "=" + value).str();
  }
  std::string msg;
  auto result = parseConvertMlpOptions(text, [&](const Twine &m) {
    msg = m.str();
    return failure();
  });
  if (failed(result)) {
    // The option parser reports bad values itself (on stderr) and unknown
    // names through the handler, prefixed by its own name.
    StringRef m = StringRef(msg).trim();
    m.consume_front("<Pass-Options-Parser>: ");
    error = "--lut=" + spec.str() + ": " +
            (m.empty() ? std::string("invalid option value") : m.str()) +
            " (lutc --lut=help lists the options and their values)";
    return failure();
  }
  return result;
}

namespace {

/// Remarks (detection and fit summaries) are for lut-opt; lutc prints its
/// own table.
struct QuietRemarks : ScopedDiagnosticHandler {
  explicit QuietRemarks(MLIRContext *ctx)
      : ScopedDiagnosticHandler(ctx, [](Diagnostic &d) {
          return success(d.getSeverity() == DiagnosticSeverity::Remark);
        }) {}
};

/// The rounds of conversion: one round of every selected FFN, or (in
/// sequential mode with data) one round per selected FFN in program order.
std::vector<std::vector<std::string>> conversionRounds(ModuleOp module,
                                                       const lut::LutFlowOptions &o) {
  std::vector<std::vector<std::string>> rounds;
  if (o.sequential && !o.calibrationFiles.empty())
    module.walk([&](lut::MlpOp m) {
      if (lut::isSelectedFfn(o.convert, m.getName()))
        rounds.push_back({m.getName().str()});
    });
  if (rounds.empty())
    rounds.push_back({o.convert.only.begin(), o.convert.only.end()});
  return rounds;
}

} // namespace

LogicalResult lut::runLutFlow(ModuleOp module, const LutFlowOptions &o,
                              const CodegenOptions &codegen, LutFlowReport &report,
                              llvm::raw_ostream &log, std::string &error) {
  if (o.dataFreeSamples < 2 || o.dataFreeSamples > 100000000) {
    error = "--data-free-samples must be in [2, 1e8], got " + std::to_string(o.dataFreeSamples);
    return failure();
  }
  if (o.calibrationLimit < 0) {
    error = "--calibration-limit must be >= 0, got " + std::to_string(o.calibrationLimit);
    return failure();
  }
  if (!o.convert.calibrationDir.empty()) {
    error = "calibration-dir is lut-opt's source of calibration pairs; lutc calibrates "
            "natively (--calibration=FILE, or data-free without it)";
    return failure();
  }
  MLIRContext *ctx = module.getContext();
  QuietRemarks quiet(ctx);
  {
    PassManager pm(ctx);
    pm.addNestedPass<func::FuncOp>(createLutDetectMlp());
    if (failed(pm.run(module))) {
      error = "FFN detection failed";
      return failure();
    }
  }
  if (failed(verifyConvertMlpOptions(module, o.convert)))
    return failure();
  report.macsBefore = countMacs(module);

  CalibrationOptions calib;
  calib.files = o.calibrationFiles;
  calib.limit = o.calibrationLimit;
  calib.dataFreeRows = o.dataFreeSamples;
  calib.dumpDir = o.dumpCalibrationDir;
  calib.progress = o.progress;
  // Calibration runs on this machine: host code, whatever the target is.
  calib.codegen.entry = codegen.entry;
  calib.codegen.optLevel = std::min(2u, codegen.optLevel);
  resolveTarget(calib.codegen);
#ifdef LUT_DENSE_LINK_ARGS
  // The dense runs (the taps model, each FFN body) are products of
  // calibration rows with the FFN's weights: LutDense's GEMMs, not loops.
  calib.codegen.denseLibrary = calib.codegen.optLevel >= 1;
#endif
  std::map<std::string, CalibrationSet> sets;
  int64_t fitTotal = 0, fitDone = 0;
  module.walk([&](MlpOp m) { fitTotal += isSelectedFfn(o.convert, m.getName()); });
  CalibrationProvider provider = [&](MlpOp mlp, CalibrationSet &cs, std::string &e) {
    // Told when an FFN's fit starts (the ones before it are done), and
    // after each round.
    if (o.progress)
      o.progress("fitting", std::min(fitDone++, fitTotal), fitTotal);
    auto it = sets.find(mlp.getName().str());
    if (it == sets.end()) {
      e = "no calibration pairs were collected for it";
      return false;
    }
    cs = std::move(it->second);
    return true;
  };
  auto rounds = conversionRounds(module, o);
  bool perFfn = rounds.size() > 1 || (o.sequential && !o.calibrationFiles.empty());
  for (auto &names : rounds) {
    calib.only = names;
    if (!collectCalibration(module, calib, sets, log, error)) {
      error = "calibration: " + error;
      return failure();
    }
    LutConvertMlpOptions round = o.convert;
    // The report measures the tables as lut-pack-tables will store them.
    round.reportTableType = o.tableType;
    round.reportPerTableScales = o.perTableScales;
    if (perFfn)
      round.only.assign(names.begin(), names.end());
    std::vector<FfnReport> rs;
    PassManager pm(ctx);
    pm.addPass(createLutConvertMlpPass(round, provider, &rs));
    if (failed(pm.run(module)))
      return failure();
    if (o.progress)
      o.progress("fitting", std::min(fitDone, fitTotal), fitTotal);
    // In per-FFN rounds, the other FFNs show up as "not selected" in every
    // round but the last; keep only their final state.
    for (FfnReport &r : rs)
      if (!perFfn || r.status == "converted" || &names == &rounds.back())
        report.ffns.push_back(std::move(r));
  }
  if (o.tableType != LutTableType::f32) {
    PassManager pm(ctx);
    LutPackTablesOptions pack;
    pack.tableType = o.tableType;
    pack.perTableScales = o.perTableScales;
    pm.addPass(createLutPackTables(pack));
    if (failed(pm.run(module)))
      return failure();
  }
  report.macsAfter = countMacs(module);
  writeReportTable(log, report.ffns, report.macsBefore, report.macsAfter);
  if (!o.reportPath.empty()) {
    auto file = openOutputFile(o.reportPath, &error);
    if (!file)
      return failure();
    writeReportJson(file->os(), report.ffns, report.macsBefore, report.macsAfter, o.convert);
    file->keep();
  }
  return success();
}
