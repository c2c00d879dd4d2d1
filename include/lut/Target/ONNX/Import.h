//===- Import.h - ONNX to MLIR importer -------------------------*- C++ -*-===//
//
// Imports an ONNX ModelProto (ONNX IR spec, opsets 7 to 17 of the default
// domain) into a `builtin.module` holding one `func.func @main_graph` whose
// body is linalg/tensor/arith/math on statically shaped tensors.
//
// In the manner of onnx-mlir's frontend, but lowering each ONNX node directly
// to upstream dialects. The importer
//  * parses the protobuf and checks the model before building any IR (in
//    this order: graph structure; every tensor's size, external-data
//    confinement to the model's folder and the memory limit; every node
//    against its ONNX schema; operator support; ONNX's checker; ONNX's
//    shape inference), each message naming the node or tensor at fault;
//  * reads initializers, including external-data tensors (paths relative to
//    the model's directory), with the TensorProto decoder of
//    lut/Runtime/TensorProto.h, and turns large ones into `dense_resource`
//    blobs so that they are never expanded into text;
//  * lowers each node with its op's handler from one op table (op type,
//    handler, supported opsets; lib/Target/ONNX/Ops/*.cpp);
//  * evaluates nodes whose inputs are all small constants at import time by
//    folding the IR their handlers emit, so that shape computations (Shape,
//    Gather, Concat, ...) give static shapes;
//  * names each op by a `NameLoc` of its ONNX node name (or, for unnamed
//    nodes, its first output name), so later passes can report
//    `blocks.3.mlp` rather than `%123`.
//
// Function arguments and results carry `lut.name` (the ONNX value name) and
// `lut.dtype` (the ONNX TensorProto data type name, e.g. "float", "uint8")
// attributes, from which lutc derives the compiled model's signature.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_TARGET_ONNX_IMPORT_H
#define LUT_TARGET_ONNX_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace lut {

/// Options of the ONNX importer.
struct OnnxImportOptions {
  /// Fixes the dimensions of graph inputs, in the manner of onnx-mlir's
  /// `--shapeInformation`: input name -> full shape. Every graph input with a
  /// dynamic (symbolic or unknown) dimension must appear here. A dim of -1
  /// keeps the model's own static value.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Initializers with more elements than this become `dense_resource`
  /// blobs; smaller ones are inline `dense<...>` attributes.
  int64_t resourceThreshold = 64;
  /// Name of the generated entry function.
  std::string funcName = "main_graph";
  /// Run ONNX's checker (onnx::checker::check_model) before importing.
  /// Node schemas (OpSchema::Verify) are checked either way.
  bool runChecker = true;
  /// Allow external data outside the model's folder (absolute locations,
  /// `..`, symbolic links that leave it). Off: such a tensor is an error, as
  /// in ONNX >= 1.14.
  bool allowExternalDataOutside = false;
  /// The most memory, in bytes, the model may ask for: the sum of its
  /// initializers and constants, and any one tensor it computes. 0: the
  /// machine's physical memory. A model over the limit is an error before
  /// anything is allocated.
  uint64_t memoryLimit = 0;
};

/// What went wrong when an import fails.
enum class OnnxImportStatus {
  Success = 0,
  /// The input is malformed or inconsistent: unreadable file, bad protobuf,
  /// checker or shape-inference failure, dangling edge, wrong types/shapes.
  InvalidModel = 1,
  /// The model is valid but uses an op, attribute value, dtype or opset
  /// (of the model, or of a node outside its op's supported opsets) that
  /// lut-mlir does not support.
  Unsupported = 3,
};

/// Parses a `--shape-info` string: `name:d0xd1x...[,name2:...]`, e.g.
/// `input:1x3x224x224,mask:1x128`. A dim written `-1` keeps the model's.
/// Returns false and sets `error` on a malformed string.
bool parseShapeInfo(llvm::StringRef text, OnnxImportOptions &options,
                    std::string &error);

/// Parses a byte size: a decimal number with an optional binary suffix
/// K, M, G or T (KiB ... TiB; also KB/KiB spellings), e.g. `512M`, `64G`.
/// Returns false and sets `error` on a malformed or overflowing size.
bool parseByteSize(llvm::StringRef text, uint64_t &bytes, std::string &error);

/// Imports the ONNX model file at `path` into a new module in `context`.
/// Diagnostics go through the context's diagnostic engine, located at the
/// model file and at the ONNX node at fault (its name, op type and opset).
/// Returns a null module on failure and sets `status` to the failure class.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext *context,
               const OnnxImportOptions &options, OnnxImportStatus &status);

/// Imports a serialized ONNX ModelProto held in memory. `path` names it in
/// locations and messages; external data is read from (and confined to)
/// `modelDir`. Otherwise as importOnnxFile, which reads the file and calls
/// this with the file's folder.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxBuffer(llvm::StringRef bytes, llvm::StringRef path,
                 llvm::StringRef modelDir, mlir::MLIRContext *context,
                 const OnnxImportOptions &options, OnnxImportStatus &status);

/// Registers in `registry` every dialect the importer produces.
void registerOnnxImportDialects(mlir::DialectRegistry &registry);

} // namespace lut

#endif
