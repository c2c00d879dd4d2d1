//===- Values.cpp - Imported values, tensor data and node context ---------===//
//
// The plumbing between ONNX names and MLIR values: the value table, element
// types, TensorProto decoding (through the runtime's decoder, shared with
// TensorIO) and the NodeCtx methods that handlers use.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"
#include "ModelChecks.h"

#include "lut/Runtime/TensorProto.h"
#include "lut/Support/MLIRTypes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

//===----------------------------------------------------------------------===//
// Importer: locations, types, values
//===----------------------------------------------------------------------===//

Location Importer::fileLoc() {
  return FileLineColLoc::get(ctx, modelPath, 0, 0);
}

Location Importer::nodeLoc(const onnx::NodeProto &node) {
  std::string name = node.name();
  if (name.empty() && node.output_size() > 0)
    name = node.output(0);
  return NameLoc::get(StringAttr::get(ctx, name), fileLoc());
}

Type Importer::elemType(int32_t dt, Location loc) {
  if (Type t = dtypeToMLIRType(dt, ctx))
    return t;
  emitError(loc) << "unsupported: ONNX element type '" << onnxDTypeName(dt)
                 << "' (" << dt << ")";
  throw ImportAbort{OnnxImportStatus::Unsupported};
}

RankedTensorType Importer::tensorType(ArrayRef<int64_t> shape, int32_t dt,
                                      Location loc) {
  return RankedTensorType::get(shape, elemType(dt, loc));
}

TValue *Importer::lookup(const std::string &name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

void Importer::define(const std::string &name, TValue tv) {
  values[name] = std::move(tv);
}

Value Importer::materialize(TValue &tv, Location loc) {
  if (!tv.value && tv.constant)
    tv.value =
        arith::ConstantOp::create(builder, loc, cast<TypedAttr>(tv.constant));
  return tv.value;
}

//===----------------------------------------------------------------------===//
// Tensor data
//===----------------------------------------------------------------------===//

TValue Importer::decodeTensor(const onnx::TensorProto &t, Location loc,
                              StringRef noun) {
  runtime::TensorProtoOptions options;
  options.baseDir = modelDir;
  options.noun = noun.str();
  options.allowOutsideBaseDir = opts.allowExternalDataOutside;
  options.maxBytes = effectiveMemoryLimit(opts);
  options.maxBytesOption = "--memory-limit";
  // Small tensors and bools become dense attributes; large ones are decoded
  // straight into a resource blob, never expanded into text.
  std::vector<char> bytes;
  std::optional<AsmResourceBlob> blob;
  runtime::TensorProtoInfo info;
  auto allocate = [&](const runtime::TensorProtoInfo &i) -> void * {
    info = i;
    if (i.numElements <= opts.resourceThreshold || i.dtype == DTy::BOOL) {
      bytes.resize(i.sizeInBytes);
      return bytes.data();
    }
    blob = HeapAsmResourceBlob::allocate(i.sizeInBytes, alignof(uint64_t));
    return blob->getMutableData().data();
  };
  std::string error;
  runtime::TensorProtoError st =
      runtime::decodeTensorProto(t, options, allocate, error);
  if (st != runtime::TensorProtoError::None) {
    bool unsup = st == runtime::TensorProtoError::Unsupported;
    emitError(loc) << (unsup ? "unsupported: " : "") << error;
    throw ImportAbort{unsup ? OnnxImportStatus::Unsupported
                            : OnnxImportStatus::InvalidModel};
  }
  TValue tv;
  tv.dtype = info.dtype;
  tv.shape.assign(info.shape.begin(), info.shape.end());
  auto type = tensorType(tv.shape, tv.dtype, loc);
  if (blob) {
    std::string key = t.name().empty() ? "onnx_tensor" : t.name();
    for (char &c : key)
      if (!llvm::isAlnum(c) && c != '_' && c != '.')
        c = '_';
    if (llvm::isDigit(key[0]))
      key = "t_" + key;
    tv.constant = DenseResourceElementsAttr::get(type, key, std::move(*blob));
  } else if (tv.dtype == DTy::BOOL) {
    SmallVector<bool> bits;
    for (char c : bytes)
      bits.push_back(c != 0);
    tv.constant = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else {
    bool splat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, bytes, splat)) {
      emitError(loc) << "invalid raw data for tensor '" << t.name() << "'";
      throw ImportAbort{OnnxImportStatus::InvalidModel};
    }
    tv.constant = DenseElementsAttr::getFromRawBuffer(type, bytes);
  }
  return tv;
}

//===----------------------------------------------------------------------===//
// NodeCtx
//===----------------------------------------------------------------------===//

size_t NodeCtx::numInputs() const { return node.input_size(); }
bool NodeCtx::has(size_t i) const {
  return (int)i < node.input_size() && !node.input(i).empty();
}
TValue &NodeCtx::in(size_t i) {
  if (!has(i))
    fail("input #" + Twine(i) + " is required but missing");
  TValue *tv = imp.lookup(node.input(i));
  if (!tv)
    fail("input '" + node.input(i) +
         "' is not produced by any node, graph input or initializer");
  return *tv;
}
Value NodeCtx::val(size_t i) { return imp.materialize(in(i), loc); }

void NodeCtx::checkFits(size_t i, ArrayRef<int64_t> shape, int32_t dtype) {
  uint64_t limit = effectiveMemoryLimit(imp.opts);
  uint64_t bytes = lut::dtypeSize(dtype) ? lut::dtypeSize(dtype) : 1;
  bool over = false;
  for (int64_t d : shape) {
    if (mlir::ShapedType::isDynamic(d))
      continue; // known at run time
    over |= d < 0 || __builtin_mul_overflow(bytes, (uint64_t)d, &bytes);
  }
  if (over || bytes > limit)
    fail("output '" + node.output(i) + "' would need " +
         (over ? std::string("more than 2^64 bytes")
               : runtime::formatBytes(bytes)) +
         ", more than the memory limit of " + runtime::formatBytes(limit) +
         " (--memory-limit)");
}

void NodeCtx::setOutput(size_t i, Value v, int32_t dtype) {
  if (!wantsOutput(i))
    return;
  TValue tv;
  tv.value = v;
  tv.dtype = dtype;
  auto t = cast<RankedTensorType>(v.getType());
  tv.shape.assign(t.getShape().begin(), t.getShape().end());
  checkFits(i, tv.shape, dtype);
  imp.define(node.output(i), std::move(tv));
}

void NodeCtx::setConstOutput(size_t i, ElementsAttr value, int32_t dtype) {
  if (!wantsOutput(i))
    return;
  TValue tv;
  tv.constant = value;
  tv.dtype = dtype;
  auto t = cast<ShapedType>(value.getType());
  tv.shape.assign(t.getShape().begin(), t.getShape().end());
  checkFits(i, tv.shape, dtype);
  imp.define(node.output(i), std::move(tv));
}

const onnx::AttributeProto *NodeCtx::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t NodeCtx::attrInt(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}
float NodeCtx::attrFloat(StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}
std::string NodeCtx::attrString(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}
std::optional<std::vector<int64_t>> NodeCtx::attrInts(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

DenseElementsAttr NodeCtx::constantInput(size_t i) {
  TValue &tv = in(i);
  ElementsAttr c = tv.constant;
  Attribute a;
  if (!c && tv.value && matchPattern(tv.value, m_Constant(&a)))
    c = dyn_cast<ElementsAttr>(a);
  return toDense(c);
}

std::vector<int64_t> NodeCtx::constInts(size_t i, StringRef what) {
  DenseElementsAttr c = constantInput(i);
  if (!c)
    unsupported(what + " (input '" + node.input(i) +
                "') is computed at run time; lut-mlir needs it to be a "
                "constant or computable from static shapes");
  std::vector<int64_t> r;
  if (isa<FloatType>(c.getElementType())) {
    for (const APFloat &f : c.getValues<APFloat>())
      r.push_back((int64_t)f.convertToDouble());
    return r;
  }
  bool zext = isUnsignedDType(in(i).dtype) || in(i).dtype == DTy::BOOL;
  for (const APInt &v : c.getValues<APInt>())
    r.push_back(zext ? (int64_t)v.getZExtValue() : v.getSExtValue());
  return r;
}

std::string NodeCtx::describe() const {
  if (!node.name().empty())
    return "'" + node.name() + "'";
  return "#" + std::to_string(index) +
         (node.output_size() ? " (output '" + node.output(0) + "')" : "");
}

void NodeCtx::fail(const Twine &msg, OnnxImportStatus st) {
  // Unsupported features say so first, so that tools and people can tell
  // them from malformed models.
  emitError(loc) << (st == OnnxImportStatus::Unsupported ? "unsupported: " : "")
                 << describeNode(node, index, opset) << ": " << msg;
  throw ImportAbort{st};
}

int64_t NodeCtx::normAxis(int64_t axis, int64_t rank, StringRef what) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    fail(what + " " + Twine(axis) + " is out of range for rank " + Twine(rank));
  return a;
}
