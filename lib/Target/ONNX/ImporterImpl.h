//===- ImporterImpl.h - ONNX importer internals -----------------*- C++ -*-===//
//
// Private to lib/Target/ONNX. The Importer walks an ONNX graph in topological
// order; each node handler (ImportOps.cpp) reads its inputs as `TValue`s and
// defines its outputs. Small integer/float tensors are also kept on the host
// (`HostTensor`) so that shape computations fold at import time.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_TARGET_ONNX_IMPORTERIMPL_H
#define LUT_LIB_TARGET_ONNX_IMPORTERIMPL_H

#include "lut/Target/ONNX/Import.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

#include "onnx/onnx_pb.h"

#include <optional>

namespace lut::onnximport {

using mlir::Location;
using mlir::LogicalResult;
using mlir::OpBuilder;
using mlir::Type;
using mlir::Value;
using Shape = llvm::SmallVector<int64_t, 4>;

/// ONNX TensorProto.DataType values.
using DT = onnx::TensorProto_DataType;

/// A small tensor known at import time. Integers and bools are kept exactly
/// in `ints`; floating-point values in `floats`.
struct HostTensor {
  Shape shape;
  int32_t dtype = 0;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  bool isFloat() const;
  int64_t numel() const;
  double get(int64_t i) const { return isFloat() ? floats[i] : (double)ints[i]; }
  int64_t getInt(int64_t i) const { return isFloat() ? (int64_t)floats[i] : ints[i]; }
};

/// An imported tensor value: an SSA value (materialized lazily for host
/// constants), its ONNX data type, its static shape, and, when known, its
/// contents.
struct TValue {
  Value value;
  int32_t dtype = 0;
  Shape shape;
  std::optional<HostTensor> host;
  /// Large constant not kept on the host, materialized on first use.
  mlir::ElementsAttr constant;
};

/// Thrown by node handlers to abort the import with a diagnostic already
/// emitted. Caught in Importer::importGraph.
struct ImportAbort {
  OnnxImportStatus status;
};

bool isFloatDT(int32_t dt);
bool isUnsignedDT(int32_t dt);
bool isIntDT(int32_t dt); // signed or unsigned integer, not bool
const char *dtypeName(int32_t dt);

class Importer;

/// Everything a node handler needs.
struct NodeCtx {
  Importer &imp;
  const onnx::NodeProto &node;
  int64_t opset;
  Location loc;
  OpBuilder &b;
  /// Position of the node in the graph (for unnamed nodes).
  int index = 0;

  /// `'name'` or, for unnamed nodes, `#index (output 'y')`.
  std::string describe() const;
  size_t numInputs() const;
  /// True when input `i` is present (not omitted with an empty name).
  bool has(size_t i) const;
  TValue &in(size_t i);
  Value val(size_t i);
  size_t numOutputs() const { return node.output_size(); }
  bool wantsOutput(size_t i) const {
    return (int)i < node.output_size() && !node.output(i).empty();
  }
  void setOutput(size_t i, Value v, int32_t dtype);
  void setHostOutput(size_t i, HostTensor t);

  // Attributes.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<std::vector<int64_t>> attrInts(llvm::StringRef name) const;

  /// Input `i` as host integers (e.g. a shape or axes operand); reports an
  /// "unsupported: computed at run time" error when not constant.
  std::vector<int64_t> constInts(size_t i, llvm::StringRef what);

  /// Emits an error at the node and aborts the import.
  [[noreturn]] void fail(const llvm::Twine &msg,
                         OnnxImportStatus st = OnnxImportStatus::InvalidModel);
  [[noreturn]] void unsupported(const llvm::Twine &msg) {
    fail(msg, OnnxImportStatus::Unsupported);
  }
  int64_t normAxis(int64_t axis, int64_t rank, llvm::StringRef what = "axis");
};

/// The importer of one graph.
class Importer {
public:
  Importer(mlir::MLIRContext *ctx, const OnnxImportOptions &opts,
           std::string modelPath, std::string modelDir)
      : ctx(ctx), opts(opts), modelPath(std::move(modelPath)),
        modelDir(std::move(modelDir)), builder(ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> importModel(onnx::ModelProto &model,
                                                OnnxImportStatus &status);

  // --- values ---
  TValue *lookup(const std::string &name);
  Value materialize(TValue &tv, Location loc);
  void define(const std::string &name, TValue tv);

  // --- types ---
  Type elemType(int32_t dt, Location loc);
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape, int32_t dt,
                                    Location loc);

  // --- tensor data ---
  /// Decodes a TensorProto into a host tensor or (large) an ElementsAttr.
  TValue decodeTensor(const onnx::TensorProto &t, Location loc,
                      bool keepOnHost);
  Value hostToValue(const HostTensor &h, Location loc);

  // --- emission helpers (ImportOps.cpp) ---
  Value emptyTensor(Location loc, llvm::ArrayRef<int64_t> shape, Type elem);
  Value filled(Location loc, llvm::ArrayRef<int64_t> shape, Type elem,
               mlir::TypedAttr value);
  /// Broadcasting elementwise map (numpy rules) into `outShape`.
  Value elementwise(Location loc, llvm::ArrayRef<Value> operands,
                    llvm::ArrayRef<int64_t> outShape, Type outElem,
                    llvm::function_ref<Value(OpBuilder &, Location,
                                             mlir::ValueRange)>
                        body);
  /// Reduces `x` over the sorted, normalized `axes` (result without the
  /// reduced dims) starting from `init`.
  Value reduce(Location loc, Value x, llvm::ArrayRef<int64_t> axes,
               mlir::TypedAttr init,
               llvm::function_ref<Value(OpBuilder &, Location, Value, Value)>
                   combine);
  Value reshape(Location loc, Value x, llvm::ArrayRef<int64_t> shape);

  mlir::MLIRContext *ctx;
  const OnnxImportOptions &opts;
  std::string modelPath, modelDir;
  OpBuilder builder;
  std::map<std::string, int64_t> opsetByDomain;
  std::map<std::string, TValue> values;
  Location nodeLoc(const onnx::NodeProto &node);
  mlir::Location fileLoc();
  int resourceCounter = 0;
};

/// Dispatches one node to its handler. Returns false if the op type is not
/// supported at all (the caller reports it).
bool importNode(NodeCtx &n);

/// Evaluates a node on the host when all its inputs are known and small.
/// Returns true if it did (and defined the outputs).
bool tryHostEval(NodeCtx &n);

/// Numpy broadcast of two shapes; returns false when incompatible.
bool broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                     Shape &out);

} // namespace lut::onnximport

#endif
