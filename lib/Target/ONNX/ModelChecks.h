//===- ModelChecks.h - Checks a ModelProto before import --------*- C++ -*-===//
//
// Private to lib/Target/ONNX. Everything the importer checks before it
// builds any IR, in the order importOnnxFile runs them. Each check reports
// at the ONNX node (or tensor) at fault, with our own description of it
// (node name or index and first output, op type, opset), and returns false
// after emitting its diagnostic.
//
//  1. checkGraphStructure: dangling and out-of-order edges, graph outputs
//     nobody produces, zero strides (which divide by zero inside ONNX's own
//     shape inference), initializer/input disagreements.
//  2. checkTensors: every TensorProto of the graph (initializers and tensor
//     attributes, in subgraphs too) is validated without being read:
//     dtype, shape, data size, external-data confinement to the model's
//     folder; their declared bytes are summed against the memory limit.
//  3. checkNodeSchemas: every node of the default domain has an ONNX schema
//     at the model's opset, and libonnx's OpSchema::Verify accepts it
//     (input and output counts, required attributes, attribute types). This
//     runs even with the checker off: ONNX's shape inference functions
//     assume it.
//  4. checkSupportedOps: every node's operator is in lut-mlir's op table at
//     the model's opset; otherwise "unsupported" (exit code 3) before ONNX's
//     shape inference ever sees an operator we would refuse anyway.
//  5. runOnnxChecker: onnx::checker::check_model on the in-memory model.
//  6. runShapeInference (ShapeInference.cpp): ONNX's strict shape
//     inference, one node at a time, each node's axis-like attributes
//     checked against its inputs' ranks first (libonnx 1.12's inference
//     functions index dims with some of them unchecked).
//
// For 5 every node is temporarily renamed to a token that ONNX's messages
// repeat, so that each message can be re-issued at the node it is about;
// the names are restored afterwards. 6 reports at the node it runs.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_TARGET_ONNX_MODELCHECKS_H
#define LUT_LIB_TARGET_ONNX_MODELCHECKS_H

#include "lut/Target/ONNX/Import.h"

#include "mlir/IR/Location.h"

#include "onnx/onnx_pb.h"

#include <map>
#include <string>

namespace lut::onnximport {

/// What the checks need to know about the model being imported.
struct ModelCheckContext {
  mlir::MLIRContext *ctx;
  /// The model file, as given (for messages and locations).
  std::string path;
  /// The model's folder: external data is confined to it.
  std::string dir;
  const OnnxImportOptions &options;
  /// Opset by domain ("" for the default domain).
  std::map<std::string, int64_t> opsets;
  /// Set by a check that fails because of an unsupported feature.
  OnnxImportStatus status = OnnxImportStatus::InvalidModel;

  mlir::Location fileLoc() const;
  /// The node's NameLoc (its name, or its first output's), in the file.
  mlir::Location nodeLoc(const onnx::NodeProto &node) const;
  /// The opset that governs `node` (0 when its domain is not imported).
  int64_t opsetOf(const onnx::NodeProto &node) const;
};

/// "node 'name' (Op, opset K)" or, for an unnamed node,
/// "node #index (output 'y') (Op, opset K)".
std::string describeNode(const onnx::NodeProto &node, int index,
                         int64_t opset);

/// ONNX's exception texts span lines and may end in a context dump; folds
/// them onto one line and bounds their length.
std::string foldMessage(llvm::StringRef msg);

/// The memory limit in bytes that `options` means: its memoryLimit, or the
/// machine's physical memory when that is 0.
uint64_t effectiveMemoryLimit(const OnnxImportOptions &options);

bool checkGraphStructure(ModelCheckContext &mc, const onnx::GraphProto &g);
bool checkTensors(ModelCheckContext &mc, const onnx::GraphProto &g);
bool checkNodeSchemas(ModelCheckContext &mc, const onnx::GraphProto &g);
bool checkSupportedOps(ModelCheckContext &mc, const onnx::GraphProto &g);
bool runOnnxChecker(ModelCheckContext &mc, onnx::ModelProto &model);
bool runShapeInference(ModelCheckContext &mc, onnx::ModelProto &model);
/// Upgrades `model` to opset `target` of the default domain with ONNX's
/// version converter (VersionConversion.cpp) and updates mc.opsets; an
/// "unsupported:" error naming both opsets and the converter's message when
/// it cannot.
bool upgradeOpset(ModelCheckContext &mc, onnx::ModelProto &model, int64_t target);

} // namespace lut::onnximport

#endif
