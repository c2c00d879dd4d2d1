//===- ImportEntry.cpp - ONNX import entry points -------------------------===//
//
// Reads the ModelProto, runs structural prechecks, ONNX's checker and ONNX's
// shape inference, checks the model's opsets, then hands the graph to the
// Importer (ImportModel.cpp).
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

#include "lut/Dialect/Lut/IR/LutDialect.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>

#include <set>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// Structural checks with messages that name the value and node at fault,
/// run before ONNX's checker (whose messages are less specific).
static bool precheckGraph(const onnx::GraphProto &g, Location floc) {
  std::set<std::string> defined, inits, produced;
  std::map<std::string, const onnx::TensorProto *> initByName;
  for (const auto &t : g.initializer()) {
    defined.insert(t.name());
    initByName[t.name()] = &t;
  }
  for (const auto &vi : g.input()) {
    defined.insert(vi.name());
    if (vi.type().has_tensor_type() && vi.type().tensor_type().elem_type() == 0) {
      emitError(floc) << "graph input '" << vi.name()
                      << "' has an undefined element type";
      return false;
    }
    auto it = initByName.find(vi.name());
    if (it != initByName.end() && vi.type().has_tensor_type() &&
        vi.type().tensor_type().has_shape()) {
      const auto &sh = vi.type().tensor_type().shape();
      const onnx::TensorProto &t = *it->second;
      bool same = sh.dim_size() == t.dims_size();
      for (int d = 0; same && d < sh.dim_size(); ++d)
        same = !sh.dim(d).has_dim_value() || sh.dim(d).dim_value() == t.dims(d);
      if (!same) {
        emitError(floc) << "initializer '" << t.name() << "' has shape ["
                        << llvm::join(llvm::map_range(t.dims(), [](int64_t d) { return std::to_string(d); }), ",")
                        << "] but the graph input of the same name declares rank "
                        << sh.dim_size() << " with other dims";
        return false;
      }
    }
  }
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      produced.insert(o);
  int index = 0;
  for (const auto &n : g.node()) {
    std::string who = n.name().empty() ? "#" + std::to_string(index) : "'" + n.name() + "'";
    // Zero strides or dilations make ONNX's own shape inference divide by 0.
    for (const auto &a : n.attribute())
      if (a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape")
        for (int64_t v : a.ints())
          if (v <= 0) {
            emitError(floc) << "node " << who << " (" << n.op_type() << ") has "
                            << a.name() << " value " << v << "; it must be positive";
            return false;
          }
    for (const auto &in : n.input()) {
      if (in.empty() || defined.count(in))
        continue;
      InFlightDiagnostic d = emitError(floc);
      d << "node " << who << " (" << n.op_type() << ") reads '" << in << "', ";
      if (produced.count(in))
        d << "which a later node produces (the graph is not topologically sorted)";
      else
        d << "which is not a graph input, an initializer or any node's output";
      return false;
    }
    for (const auto &o : n.output())
      defined.insert(o);
    ++index;
  }
  for (const auto &o : g.output())
    if (!defined.count(o.name())) {
      emitError(floc) << "graph output '" << o.name()
                      << "' is not produced by any node (dangling edge)";
      return false;
    }
  return true;
}

/// ONNX's exception texts span lines and end in a context dump; fold them.
static std::string foldMessage(StringRef msg) {
  std::string r;
  for (char c : msg.trim())
    r += (c == '\n' || c == '\r') ? ' ' : c;
  if (r.size() > 600)
    r = r.substr(0, 600) + "...";
  return r;
}

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

void lut::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  tensor::TensorDialect, linalg::LinalgDialect,
                  lut::LutDialect>();
}

OwningOpRef<ModuleOp> lut::importOnnxFile(StringRef path, MLIRContext *context,
                                          const OnnxImportOptions &options,
                                          OnnxImportStatus &status) {
  DialectRegistry registry;
  registerOnnxImportDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  Location floc = FileLineColLoc::get(context, path, 0, 0);
  status = OnnxImportStatus::InvalidModel;

  auto bufOr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bufOr) {
    emitError(floc) << "cannot open ONNX file '" << path
                    << "': " << bufOr.getError().message();
    return nullptr;
  }
  auto &buf = *bufOr;
  onnx::ModelProto model;
  {
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(buf->getBufferStart()),
        (int)std::min<size_t>(buf->getBufferSize(), INT32_MAX));
    stream.SetTotalBytesLimit(INT32_MAX);
    if (buf->getBufferSize() == 0) {
      emitError(floc) << "malformed ONNX file '" << path << "': the file is empty";
      return nullptr;
    }
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
  if (!precheckGraph(model.graph(), floc))
    return nullptr;
  int64_t opset = opsets[""];
  if (opset < 7 || opset > 17) {
    emitError(floc) << "unsupported: '" << path << "' imports opset " << opset
                    << " of the default ONNX domain; lut-mlir supports "
                       "opsets 7 to 17";
    status = OnnxImportStatus::Unsupported;
    return nullptr;
  }

  if (options.runChecker) {
    try {
      onnx::checker::check_model(path.str());
    } catch (const std::exception &e) {
      std::string msg = e.what();
      // The checker's messages end with a context dump; keep the first line.
      emitError(floc) << "ONNX checker rejected '" << path << "': "
                      << foldMessage(msg);
      return nullptr;
    }
  }
  try {
    onnx::ShapeInferenceOptions siOpts(/*check_type=*/true, /*strict=*/1,
                                       /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       siOpts);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    emitError(floc) << "ONNX shape inference failed on '" << path << "': "
                    << foldMessage(msg);
    return nullptr;
  }

  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  Importer imp(context, options, path.str(), dir.empty() ? "." : dir.str().str());
  imp.opsetByDomain = opsets;
  return imp.importModel(model, status);
}
