//===- VersionConversion.cpp - old opsets through ONNX's version converter ===//
//
// Models of opsets 1 to 6 are upgraded to opset 7, the oldest the op table
// covers, with libonnx's own version converter
// (onnx::version_conversion::ConvertVersion and its per-op adapters), not a
// table of our own.
//
//===----------------------------------------------------------------------===//
#include "ModelChecks.h"

#include "mlir/IR/Diagnostics.h"

#include "onnx/version_converter/convert.h"

#include <exception>

using namespace mlir;

bool lut::onnximport::upgradeOpset(ModelCheckContext &mc, onnx::ModelProto &model,
                                   int64_t target) {
  int64_t from = mc.opsets[""];
  onnx::ModelProto upgraded;
  std::string why;
  try {
    upgraded = onnx::version_conversion::ConvertVersion(model, (int)target);
  } catch (const std::exception &e) {
    why = e.what();
  } catch (...) {
    why = "unknown error";
  }
  if (!why.empty()) {
    // The converter's messages can span lines; keep the first.
    why = why.substr(0, why.find('\n'));
    emitError(mc.fileLoc()) << "unsupported: '" << mc.path << "' imports opset " << from
                            << " of the default ONNX domain, and ONNX's version converter "
                               "cannot upgrade it to opset "
                            << target << ": " << why;
    mc.status = OnnxImportStatus::Unsupported;
    return false;
  }
  model = std::move(upgraded);
  for (auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      mc.opsets[""] = o.version();
  return true;
}
