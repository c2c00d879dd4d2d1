//===- ImporterImpl.h - ONNX importer internals -----------------*- C++ -*-===//
//
// Private to lib/Target/ONNX. The Importer walks an ONNX graph in topological
// order; each node goes to the handler that OpRegistry.cpp's table gives for
// its op type and opset (handlers live in Ops/, one file per op family). A
// handler reads its inputs as `TValue`s and defines its outputs, emitting
// linalg/tensor/arith/math IR. When every input of a node is a small
// constant, the IR the handler emitted is evaluated at import time by the
// ConstantFolder (MLIR's own folders on the scalar bodies) and replaced by
// constants, so that shape computations give static shapes.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_TARGET_ONNX_IMPORTERIMPL_H
#define LUT_LIB_TARGET_ONNX_IMPORTERIMPL_H

#include "lut/Support/DTypes.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <functional>
#include <optional>

namespace lut::onnximport {

using mlir::Location;
using mlir::LogicalResult;
using mlir::OpBuilder;
using mlir::Type;
using mlir::Value;
/// A static shape; dynamic dims are mlir::ShapedType::kDynamic.
using Shape = llvm::SmallVector<int64_t, 4>;
/// A shape with its dynamic dims as SSA values: each dim an IntegerAttr
/// (index) when static, or an `index` Value.
using Dims = llvm::SmallVector<mlir::OpFoldResult, 4>;

/// ONNX TensorProto.DataType values.
using DTy = onnx::TensorProto;

/// Nodes whose inputs are all constants of at most this many elements are
/// folded at import time when each of their outputs has at most this many
/// elements. Larger constants (weights) are never folded.
constexpr int64_t kFoldLimit = 4096;

/// An imported tensor value: its ONNX data type, shape (dynamic dims as
/// ShapedType::kDynamic), and an SSA value and/or, for a constant, its
/// contents (materialized as an `arith.constant` on first use).
struct TValue {
  Value value;
  int32_t dtype = 0;
  Shape shape;
  /// Set for constants: initializers, Constant nodes, folded nodes.
  mlir::ElementsAttr constant;
  /// For small 0-D/1-D integer tensors that carry a shape computed from
  /// dynamic dims (Shape, and Gather/Concat/Slice/Unsqueeze/arithmetic on
  /// its result): every element, as a constant or an `index` Value. Lets
  /// Reshape, Expand, ConstantOfShape, ... see which dims are static.
  std::optional<Dims> elems;
};

/// Thrown by node handlers to abort the import with a diagnostic already
/// emitted. Caught in Importer::importModel.
struct ImportAbort {
  OnnxImportStatus status;
};

/// `attr` (dense or dense_resource) as a DenseElementsAttr, or null when it
/// has more than `maxElements` elements or its data cannot be read.
mlir::DenseElementsAttr toDense(mlir::ElementsAttr attr,
                                int64_t maxElements = kFoldLimit);

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
  /// Fails unless a tensor of `shape` and `dtype` (output `i`) fits the
  /// memory limit (OnnxImportOptions::memoryLimit).
  void checkFits(size_t i, llvm::ArrayRef<int64_t> shape, int32_t dtype);
  /// Defines output `i` as a constant (materialized on first use).
  void setConstOutput(size_t i, mlir::ElementsAttr value, int32_t dtype);

  // Attributes.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<std::vector<int64_t>> attrInts(llvm::StringRef name) const;

  /// The contents of input `i` if it is a constant (of at most kFoldLimit
  /// elements), else null.
  mlir::DenseElementsAttr constantInput(size_t i);
  /// Input `i` as integers (e.g. a shape or axes operand); reports an
  /// "unsupported: computed at run time" error when it is not a constant.
  std::vector<int64_t> constInts(size_t i, llvm::StringRef what);
  /// Input `i`, a 0-D or 1-D integer tensor of static length (a shape,
  /// starts, ends, ...), element by element: constants where they are known
  /// at import time (constants, or shape arithmetic on static dims), `index`
  /// Values read or computed at run time otherwise. `what` names it in
  /// errors (a dynamic length: its rank would depend on data). Sets
  /// `*fromData` when the elements are read from tensor data at run time
  /// (they may then be anything, e.g. Reshape's 0 and -1), rather than
  /// computed from dims.
  Dims intElems(size_t i, llvm::StringRef what, bool *fromData = nullptr);

  /// Emits an error at the node and aborts the import.
  [[noreturn]] void fail(const llvm::Twine &msg,
                         OnnxImportStatus st = OnnxImportStatus::InvalidModel);
  [[noreturn]] void unsupported(const llvm::Twine &msg) {
    fail(msg, OnnxImportStatus::Unsupported);
  }
  int64_t normAxis(int64_t axis, int64_t rank, llvm::StringRef what = "axis");
};

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

using OpHandler = std::function<void(NodeCtx &)>;

/// One supported ONNX operator (default domain): its handler and the
/// opsets (inclusive) whose semantics the handler implements.
struct OpEntry {
  std::string opType;
  OpHandler handler;
  int64_t minOpset, maxOpset;
};

/// The table of supported operators, filled by the register*Ops functions
/// of Ops/*.cpp (called from OpRegistry.cpp).
class OpRegistry {
public:
  void add(std::initializer_list<OpEntry> entries);
  const OpEntry *lookup(llvm::StringRef opType) const;
  /// Every entry, sorted by op type.
  std::vector<const OpEntry *> entries() const;

private:
  llvm::StringMap<OpEntry> table;
};

/// The registry of every supported operator, built on first use.
const OpRegistry &onnxOps();

void registerElementwiseOps(OpRegistry &r);
void registerReductionOps(OpRegistry &r);
void registerContractionOps(OpRegistry &r);
void registerShapeOps(OpRegistry &r);
void registerSliceOps(OpRegistry &r);
void registerNormalizationOps(OpRegistry &r);

/// The `lutmlir` domain: the trained LUT layers that lutmlir.torch exports
/// (Ops/LutmlirOps.cpp), version kLutmlirVersion.
inline constexpr const char *kLutmlirDomain = "lutmlir";
inline constexpr int kLutmlirVersion = 1;
const OpRegistry &lutmlirOps();
void registerLutmlirOps(OpRegistry &r);
/// Registers their ONNX schemas (checker, shape inference); idempotent.
void registerLutmlirSchemas();

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

/// The importer of one graph.
class Importer {
public:
  Importer(mlir::MLIRContext *ctx, const OnnxImportOptions &opts,
           std::string modelPath, std::string modelDir)
      : ctx(ctx), opts(opts), modelPath(std::move(modelPath)),
        modelDir(std::move(modelDir)), builder(ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> importModel(onnx::ModelProto &model,
                                                OnnxImportStatus &status);

  // --- values (Values.cpp) ---
  TValue *lookup(const std::string &name);
  Value materialize(TValue &tv, Location loc);
  void define(const std::string &name, TValue tv);

  // --- types ---
  Type elemType(int32_t dt, Location loc);
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape, int32_t dt,
                                    Location loc);

  // --- tensor data ---
  /// Decodes a TensorProto (with lut::runtime::decodeTensorProto) into a
  /// constant TValue: dense, or a dense_resource blob when it has more than
  /// opts.resourceThreshold elements. `noun` names it in messages.
  TValue decodeTensor(const onnx::TensorProto &t, Location loc,
                      llvm::StringRef noun);

  // --- dynamic dims (Dims.cpp) ---
  /// Dim `d` of ranked tensor `t`: an index attribute when static, else the
  /// `index` Value its producers computed it from (so that dims derived
  /// from one graph-input dim compare equal as Values), creating a
  /// tensor.dim only as a last resort.
  mlir::OpFoldResult dimOf(Value t, int64_t d);
  Dims dimsOf(Value t);
  /// True when `f` is a dim (a constant >= 0, or a Value computed from dims
  /// by the importer, never read from tensor data).
  bool isDimValue(mlir::OpFoldResult f);
  /// Values known to hold dims (see isDimValue).
  llvm::DenseSet<Value> dimValues;
  /// True when `a` and `b` are known to be equal at run time.
  bool sameDim(mlir::OpFoldResult a, mlir::OpFoldResult b);
  /// `f` as an `index` Value (constants materialized).
  Value indexValue(Location loc, mlir::OpFoldResult f);
  /// a*b, a+b, max(a,b): folded when both are constants.
  mlir::OpFoldResult mulDims(Location loc, mlir::OpFoldResult a, mlir::OpFoldResult b);
  mlir::OpFoldResult addDims(Location loc, mlir::OpFoldResult a, mlir::OpFoldResult b);
  mlir::OpFoldResult maxDims(Location loc, mlir::OpFoldResult a, mlir::OpFoldResult b);
  mlir::OpFoldResult minDims(Location loc, mlir::OpFoldResult a, mlir::OpFoldResult b);
  /// The leading `sizes` of ranked tensor `x` (tensor.extract_slice at 0).
  Value sliceTo(Location loc, Value x, llvm::ArrayRef<mlir::OpFoldResult> sizes);
  /// Numpy broadcast of two dim lists; false when statically incompatible.
  /// Dims not known to be equal broadcast to their run-time maximum.
  bool broadcastDims(llvm::ArrayRef<mlir::OpFoldResult> a,
                     llvm::ArrayRef<mlir::OpFoldResult> b, Dims &out, Location loc);
  /// `s` as Dims (every dim static; fails at `loc` if one is dynamic).
  Dims staticDims(Location loc, llvm::ArrayRef<int64_t> s);
  /// The static shape of `d` (kDynamic for Values).
  static Shape shapeOfDims(llvm::ArrayRef<mlir::OpFoldResult> d);
  /// The dims of graph inputs, canonical per ONNX dim_param name.
  llvm::DenseMap<std::pair<Value, int64_t>, mlir::OpFoldResult> dimCache;

  // --- emission helpers (Emit.cpp) ---
  Value emptyTensor(Location loc, llvm::ArrayRef<mlir::OpFoldResult> shape, Type elem);
  Value filled(Location loc, llvm::ArrayRef<mlir::OpFoldResult> shape, Type elem,
               mlir::TypedAttr value);
  /// Broadcasting elementwise map (numpy rules) into `outShape`. Operands
  /// whose dims are not known to equal the result's (dynamic dims that may
  /// be 1 at run time) are read with clamped indices instead of through an
  /// indexing map, which is correct for either case.
  Value elementwise(Location loc, llvm::ArrayRef<Value> operands,
                    llvm::ArrayRef<mlir::OpFoldResult> outShape, Type outElem,
                    llvm::function_ref<Value(OpBuilder &, Location,
                                             mlir::ValueRange)>
                        body);
  // Static-shape forms of the three above.
  Value emptyTensor(Location loc, llvm::ArrayRef<int64_t> shape, Type elem);
  Value filled(Location loc, llvm::ArrayRef<int64_t> shape, Type elem,
               mlir::TypedAttr value);
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
  Value reshape(Location loc, Value x, llvm::ArrayRef<mlir::OpFoldResult> shape);

  /// Runs `entry`'s handler on node `n`, then folds the node when all its
  /// inputs are small constants (ImportModel.cpp).
  void runNode(NodeCtx &n, const OpEntry &entry);

  mlir::MLIRContext *ctx;
  const OnnxImportOptions &opts;
  std::string modelPath, modelDir;
  OpBuilder builder;
  std::map<std::string, int64_t> opsetByDomain;
  std::map<std::string, TValue> values;
  Location nodeLoc(const onnx::NodeProto &node);
  mlir::Location fileLoc();
};

/// Numpy broadcast of two shapes; returns false when incompatible.
bool broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                     Shape &out);

} // namespace lut::onnximport

#endif
