//===- ImportEntry.cpp - ONNX import entry points -------------------------===//
//
// Reads the ModelProto, runs structural prechecks, ONNX's checker and ONNX's
// shape inference, checks the model's opsets, then hands the graph to the
// Importer (ImportModel.cpp).
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"
#include "ModelChecks.h"

#include "lut/Dialect/Lut/IR/LutDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

#include <set>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

bool lut::parseShapeInfo(StringRef text, OnnxImportOptions &options,
                         std::string &error) {
  SmallVector<StringRef> entries;
  text.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef e : entries) {
    auto [name, dims] = e.rsplit(':');
    if (name.empty() || dims.empty() || !e.contains(':')) {
      error = ("malformed --shape-info entry '" + e +
               "': expected NAME:d0xd1x... (e.g. input:1x3x224x224)")
                  .str();
      return false;
    }
    std::vector<int64_t> shape;
    SmallVector<StringRef> ds;
    dims.split(ds, 'x');
    for (StringRef d : ds) {
      int64_t v;
      if (d.trim().getAsInteger(10, v) || v < -1) {
        error = ("malformed dimension '" + d + "' in --shape-info entry '" + e +
                 "'")
                    .str();
        return false;
      }
      shape.push_back(v);
    }
    options.inputShapes[name.trim().str()] = shape;
  }
  return true;
}

bool lut::parseByteSize(StringRef text, uint64_t &bytes, std::string &error) {
  StringRef t = text.trim();
  uint64_t value = 0;
  StringRef digits = t.take_while([](char c) { return llvm::isDigit(c); });
  StringRef suffix = t.drop_front(digits.size()).trim();
  unsigned shift = 0;
  std::string s = suffix.lower();
  if (s == "" || s == "b")
    shift = 0;
  else if (s == "k" || s == "kb" || s == "kib")
    shift = 10;
  else if (s == "m" || s == "mb" || s == "mib")
    shift = 20;
  else if (s == "g" || s == "gb" || s == "gib")
    shift = 30;
  else if (s == "t" || s == "tb" || s == "tib")
    shift = 40;
  else
    shift = 64;
  if (digits.empty() || shift == 64 || digits.getAsInteger(10, value) ||
      (shift && value > (~uint64_t(0) >> shift))) {
    error = ("malformed size '" + text +
             "': expected a number of bytes with an optional K, M, G or T "
             "suffix (e.g. 512M, 64G)")
                .str();
    return false;
  }
  bytes = value << shift;
  return true;
}

void lut::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  tensor::TensorDialect, linalg::LinalgDialect, scf::SCFDialect,
                  lut::LutDialect>();
}

OwningOpRef<ModuleOp> lut::importOnnxFile(StringRef path, MLIRContext *context,
                                          const OnnxImportOptions &options,
                                          OnnxImportStatus &status) {
  status = OnnxImportStatus::InvalidModel;
  auto bufOr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bufOr) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot open ONNX file '" << path
        << "': " << bufOr.getError().message();
    return nullptr;
  }
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  return importOnnxBuffer((*bufOr)->getBuffer(), path,
                          dir.empty() ? StringRef(".") : StringRef(dir),
                          context, options, status);
}

OwningOpRef<ModuleOp> lut::importOnnxBuffer(StringRef bytes, StringRef path,
                                            StringRef modelDir,
                                            MLIRContext *context,
                                            const OnnxImportOptions &options,
                                            OnnxImportStatus &status) {
  DialectRegistry registry;
  registerOnnxImportDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  Location floc = FileLineColLoc::get(context, path, 0, 0);
  status = OnnxImportStatus::InvalidModel;

  onnx::ModelProto model;
  {
    if (bytes.empty()) {
      emitError(floc) << "malformed ONNX file '" << path << "': the file is empty";
      return nullptr;
    }
    if (bytes.size() > (size_t)INT32_MAX) {
      emitError(floc) << "malformed ONNX file '" << path << "': it has "
                      << bytes.size()
                      << " bytes; a protobuf is at most 2 GiB (keep large "
                         "weights as ONNX external data)";
      return nullptr;
    }
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(bytes.data()), (int)bytes.size());
    stream.SetTotalBytesLimit(INT32_MAX);
    if (!model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage()) {
      emitError(floc) << "malformed ONNX file '" << path
                      << "': not a valid ModelProto (truncated or corrupt "
                         "protobuf)";
      return nullptr;
    }
  }
  if (!model.has_graph()) {
    emitError(floc) << "malformed ONNX file '" << path << "': the model has no graph";
    return nullptr;
  }

  // Opsets.
  std::map<std::string, int64_t> opsets;
  for (const auto &o : model.opset_import())
    opsets[o.domain() == "ai.onnx" ? "" : o.domain()] = o.version();
  if (!opsets.count("")) {
    if (!opsets.empty()) {
      emitError(floc) << "unsupported: '" << path
                      << "' imports only the domain '" << opsets.begin()->first
                      << "'; lut-mlir supports the default ONNX domain";
      status = OnnxImportStatus::Unsupported;
    } else {
      emitError(floc) << "malformed ONNX file '" << path
                      << "': no opset_import for the default ONNX domain";
    }
    return nullptr;
  }
  // The lutmlir domain (trained LUT layers): its schemas join ONNX's
  // registry, so the checker and shape inference know its operators.
  registerLutmlirSchemas();
  if (auto it = opsets.find(kLutmlirDomain);
      it != opsets.end() && it->second != kLutmlirVersion) {
    emitError(floc) << "unsupported: '" << path << "' imports version " << it->second
                    << " of the '" << kLutmlirDomain << "' domain; lut-mlir supports version "
                    << kLutmlirVersion;
    status = OnnxImportStatus::Unsupported;
    return nullptr;
  }
  ModelCheckContext mc{context, path.str(), modelDir.str(), options, opsets};
  auto fail = [&]() -> OwningOpRef<ModuleOp> {
    status = mc.status;
    return nullptr;
  };
  if (!checkGraphStructure(mc, model.graph()))
    return fail();
  int64_t opset = opsets[""];
  if (opset < 1 || opset > 17) {
    emitError(floc) << "unsupported: '" << path << "' imports opset " << opset
                    << " of the default ONNX domain; lut-mlir supports "
                       "opsets 1 to 17 (1 to 6 through ONNX's version converter)";
    status = OnnxImportStatus::Unsupported;
    return nullptr;
  }
  if (!checkTensors(mc, model.graph()) || !checkNodeSchemas(mc, model.graph()))
    return fail();
  // Opsets 1-6: the nodes are valid for their own opset (checked above);
  // ONNX's version converter rewrites them for opset 7, the oldest the op
  // table covers, and the checks run again on the result.
  if (opset < 7) {
    if (!upgradeOpset(mc, model, 7) || !checkNodeSchemas(mc, model.graph()))
      return fail();
    opsets = mc.opsets;
  }
  if (!checkSupportedOps(mc, model.graph()))
    return fail();
  if (options.runChecker && !runOnnxChecker(mc, model))
    return fail();
  if (!runShapeInference(mc, model))
    return fail();

  Importer imp(context, options, path.str(), modelDir.str());
  imp.opsetByDomain = opsets;
  return imp.importModel(model, status);
}
