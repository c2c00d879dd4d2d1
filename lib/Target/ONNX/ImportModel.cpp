//===- ImportModel.cpp - ONNX model and graph import ----------------------===//
//
// Reads the ModelProto, validates it with ONNX's checker and shape inference,
// decodes initializers (inline, typed fields or external data) and builds the
// entry function. Node handlers live in ImportOps.cpp.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

#include "lut/Dialect/Lut/IR/LutDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>

#include <cstring>
#include <fstream>
#include <set>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

//===----------------------------------------------------------------------===//
// dtypes
//===----------------------------------------------------------------------===//

bool lut::onnximport::isFloatDT(int32_t dt) {
  return dt == onnx::TensorProto::FLOAT || dt == onnx::TensorProto::DOUBLE ||
         dt == onnx::TensorProto::FLOAT16 || dt == onnx::TensorProto::BFLOAT16;
}
bool lut::onnximport::isUnsignedDT(int32_t dt) {
  return dt == onnx::TensorProto::UINT8 || dt == onnx::TensorProto::UINT16 ||
         dt == onnx::TensorProto::UINT32 || dt == onnx::TensorProto::UINT64;
}
bool lut::onnximport::isIntDT(int32_t dt) {
  return isUnsignedDT(dt) || dt == onnx::TensorProto::INT8 ||
         dt == onnx::TensorProto::INT16 || dt == onnx::TensorProto::INT32 ||
         dt == onnx::TensorProto::INT64;
}
const char *lut::onnximport::dtypeName(int32_t dt) {
  switch (dt) {
  case onnx::TensorProto::FLOAT: return "float";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::DOUBLE: return "double";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  case onnx::TensorProto::COMPLEX64: return "complex64";
  case onnx::TensorProto::COMPLEX128: return "complex128";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  default: return "undefined";
  }
}

bool HostTensor::isFloat() const { return isFloatDT(dtype); }
int64_t HostTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static int64_t dtypeBytes(int32_t dt) {
  switch (dt) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8: return 1;
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: return 2;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32: return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64: return 8;
  default: return 0;
  }
}

//===----------------------------------------------------------------------===//
// Importer basics
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
  switch (dt) {
  case onnx::TensorProto::FLOAT: return builder.getF32Type();
  case onnx::TensorProto::DOUBLE: return builder.getF64Type();
  case onnx::TensorProto::FLOAT16: return builder.getF16Type();
  case onnx::TensorProto::BFLOAT16: return builder.getBF16Type();
  case onnx::TensorProto::BOOL: return builder.getI1Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: return builder.getIntegerType(8);
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16: return builder.getIntegerType(16);
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32: return builder.getIntegerType(32);
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64: return builder.getIntegerType(64);
  default:
    emitError(loc) << "unsupported: ONNX element type '" << dtypeName(dt)
                   << "' (" << dt << ")";
    throw ImportAbort{OnnxImportStatus::Unsupported};
  }
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

Value Importer::hostToValue(const HostTensor &h, Location loc) {
  auto type = tensorType(h.shape, h.dtype, loc);
  Type et = type.getElementType();
  DenseElementsAttr attr;
  if (isa<FloatType>(et)) {
    auto ft = cast<FloatType>(et);
    SmallVector<APFloat> vals;
    vals.reserve(h.numel());
    for (int64_t i = 0, e = h.numel(); i < e; ++i) {
      APFloat f(h.get(i));
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(f);
    }
    attr = DenseElementsAttr::get(type, vals);
  } else {
    unsigned w = et.getIntOrFloatBitWidth();
    SmallVector<APInt> vals;
    vals.reserve(h.numel());
    for (int64_t i = 0, e = h.numel(); i < e; ++i)
      vals.push_back(APInt(w, (uint64_t)h.getInt(i), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    attr = DenseElementsAttr::get(type, vals);
  }
  OpBuilder::InsertionGuard g(builder);
  return arith::ConstantOp::create(builder, loc, attr);
}

Value Importer::materialize(TValue &tv, Location loc) {
  if (tv.value)
    return tv.value;
  if (tv.constant)
    tv.value = arith::ConstantOp::create(builder, loc, cast<TypedAttr>(tv.constant));
  else if (tv.host)
    tv.value = hostToValue(*tv.host, loc);
  return tv.value;
}

//===----------------------------------------------------------------------===//
// Tensor decoding
//===----------------------------------------------------------------------===//

namespace {
[[noreturn]] void abortAt(Location loc, const Twine &msg,
                          OnnxImportStatus st = OnnxImportStatus::InvalidModel) {
  emitError(loc) << msg;
  throw ImportAbort{st};
}
} // namespace

/// Returns the little-endian bytes of `t` in lut-mlir's storage layout (bool:
/// one byte per element; f16/bf16: two bytes).
static std::vector<char> tensorBytes(const onnx::TensorProto &t, int64_t numel,
                                     const std::string &modelDir, Location loc) {
  int32_t dt = t.data_type();
  int64_t eb = dtypeBytes(dt);
  std::vector<char> out(numel * eb);
  auto checkSize = [&](int64_t have, const char *field) {
    if (have != numel)
      abortAt(loc, Twine("initializer '") + t.name() + "' has " +
                       Twine(have) + " values in " + field + " but its shape " +
                       "needs " + Twine(numel));
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset" || kv.key() == "length") {
        int64_t v;
        if (StringRef(kv.value()).getAsInteger(10, v) || v < 0)
          abortAt(loc, "initializer '" + t.name() + "' has an invalid external-data " +
                           kv.key() + " '" + kv.value() + "'");
        (kv.key() == "offset" ? offset : length) = v;
      }
    }
    if (location.empty())
      abortAt(loc, "initializer '" + t.name() +
                       "' has external data without a 'location'");
    SmallString<256> path(modelDir);
    llvm::sys::path::append(path, location);
    std::ifstream f(path.c_str(), std::ios::binary);
    if (!f)
      abortAt(loc, "cannot open external data file '" + path.str() +
                       "' of initializer '" + t.name() + "'");
    if (length >= 0 && length != (int64_t)out.size())
      abortAt(loc, "external data of initializer '" + t.name() + "' has length " +
                       Twine(length) + " but its shape needs " +
                       Twine((int64_t)out.size()) + " bytes");
    f.seekg(offset);
    f.read(out.data(), out.size());
    if (f.gcount() != (std::streamsize)out.size())
      abortAt(loc, "external data file '" + path.str() + "' is too short for initializer '" +
                       t.name() + "' (offset " + Twine(offset) + ", " +
                       Twine((int64_t)out.size()) + " bytes needed)");
    return out;
  }
  if (t.has_raw_data()) {
    if ((int64_t)t.raw_data().size() != (int64_t)out.size())
      abortAt(loc, "initializer '" + t.name() + "' has " +
                       Twine((int64_t)t.raw_data().size()) +
                       " bytes of raw_data but its shape and type need " +
                       Twine((int64_t)out.size()));
    std::memcpy(out.data(), t.raw_data().data(), out.size());
    return out;
  }
  switch (dt) {
  case onnx::TensorProto::FLOAT:
    checkSize(t.float_data_size(), "float_data");
    std::memcpy(out.data(), t.float_data().data(), out.size());
    break;
  case onnx::TensorProto::DOUBLE:
    checkSize(t.double_data_size(), "double_data");
    std::memcpy(out.data(), t.double_data().data(), out.size());
    break;
  case onnx::TensorProto::INT64:
    checkSize(t.int64_data_size(), "int64_data");
    std::memcpy(out.data(), t.int64_data().data(), out.size());
    break;
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::UINT32:
    checkSize(t.uint64_data_size(), "uint64_data");
    for (int64_t i = 0; i < numel; ++i) {
      uint64_t v = t.uint64_data(i);
      std::memcpy(out.data() + i * eb, &v, eb);
    }
    break;
  default:
    // int32_data holds int8/16/32, uint8/16, bool, float16 and bfloat16.
    checkSize(t.int32_data_size(), "int32_data");
    for (int64_t i = 0; i < numel; ++i) {
      int32_t v = t.int32_data(i);
      std::memcpy(out.data() + i * eb, &v, eb); // little endian: low bytes
    }
  }
  return out;
}

TValue Importer::decodeTensor(const onnx::TensorProto &t, Location loc,
                              bool keepOnHost) {
  TValue tv;
  tv.dtype = t.data_type();
  if (dtypeBytes(tv.dtype) == 0)
    abortAt(loc, Twine("unsupported: tensor '") + t.name() + "' has element type '" +
                     dtypeName(tv.dtype) + "'",
            OnnxImportStatus::Unsupported);
  int64_t numel = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      abortAt(loc, "tensor '" + t.name() + "' has a negative dimension " + Twine(d));
    tv.shape.push_back(d);
    if (__builtin_mul_overflow(numel, d, &numel) || numel > (int64_t(1) << 34))
      abortAt(loc, "tensor '" + t.name() + "' is too large (more than 2^34 elements)");
  }
  std::vector<char> bytes = tensorBytes(t, numel, modelDir, loc);
  auto type = tensorType(tv.shape, tv.dtype, loc);
  bool small = numel <= 4096 && tv.dtype != onnx::TensorProto::FLOAT16 &&
               tv.dtype != onnx::TensorProto::BFLOAT16;
  if (keepOnHost && small) {
    HostTensor h;
    h.shape = tv.shape;
    h.dtype = tv.dtype;
    auto rd = [&](int64_t i, auto dummy) {
      decltype(dummy) v;
      std::memcpy(&v, bytes.data() + i * sizeof(v), sizeof(v));
      return v;
    };
    for (int64_t i = 0; i < numel; ++i) {
      switch (tv.dtype) {
      case onnx::TensorProto::FLOAT: h.floats.push_back(rd(i, float())); break;
      case onnx::TensorProto::DOUBLE: h.floats.push_back(rd(i, double())); break;
      case onnx::TensorProto::BOOL: h.ints.push_back(rd(i, uint8_t()) != 0); break;
      case onnx::TensorProto::UINT8: h.ints.push_back(rd(i, uint8_t())); break;
      case onnx::TensorProto::INT8: h.ints.push_back(rd(i, int8_t())); break;
      case onnx::TensorProto::UINT16: h.ints.push_back(rd(i, uint16_t())); break;
      case onnx::TensorProto::INT16: h.ints.push_back(rd(i, int16_t())); break;
      case onnx::TensorProto::UINT32: h.ints.push_back(rd(i, uint32_t())); break;
      case onnx::TensorProto::INT32: h.ints.push_back(rd(i, int32_t())); break;
      case onnx::TensorProto::UINT64: h.ints.push_back((int64_t)rd(i, uint64_t())); break;
      case onnx::TensorProto::INT64: h.ints.push_back(rd(i, int64_t())); break;
      }
    }
    tv.host = std::move(h);
    if (numel <= opts.resourceThreshold)
      return tv;
  }
  if (numel <= opts.resourceThreshold || tv.dtype == onnx::TensorProto::BOOL) {
    if (tv.dtype == onnx::TensorProto::BOOL) {
      SmallVector<bool> bits;
      for (int64_t i = 0; i < numel; ++i)
        bits.push_back(bytes[i] != 0);
      tv.constant = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    } else {
      bool detectedSplat = false;
      if (!DenseElementsAttr::isValidRawBuffer(type, ArrayRef<char>(bytes), detectedSplat))
        abortAt(loc, "invalid raw data for tensor '" + t.name() + "'");
      tv.constant = DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes));
    }
    return tv;
  }
  // Large: a dense_resource blob, never expanded into text.
  std::string key = t.name().empty() ? "onnx_tensor" : t.name();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  if (key.empty() || llvm::isDigit(key[0]))
    key = "t_" + key;
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes), alignof(uint64_t));
  tv.constant = DenseResourceElementsAttr::get(type, key, std::move(blob));
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
    fail("input '" + node.input(i) + "' is not produced by any node, graph input or initializer");
  return *tv;
}
Value NodeCtx::val(size_t i) { return imp.materialize(in(i), loc); }

void NodeCtx::setOutput(size_t i, Value v, int32_t dtype) {
  if (!wantsOutput(i))
    return;
  TValue tv;
  tv.value = v;
  tv.dtype = dtype;
  auto t = cast<RankedTensorType>(v.getType());
  tv.shape.assign(t.getShape().begin(), t.getShape().end());
  imp.define(node.output(i), std::move(tv));
}

void NodeCtx::setHostOutput(size_t i, HostTensor t) {
  if (!wantsOutput(i))
    return;
  TValue tv;
  tv.dtype = t.dtype;
  tv.shape = t.shape;
  tv.host = std::move(t);
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

std::vector<int64_t> NodeCtx::constInts(size_t i, StringRef what) {
  TValue &tv = in(i);
  if (!tv.host)
    unsupported(what + " (input '" + node.input(i) +
                "') is computed at run time; lut-mlir needs it to be a "
                "constant or computable from static shapes");
  std::vector<int64_t> r;
  for (int64_t k = 0; k < tv.host->numel(); ++k)
    r.push_back(tv.host->getInt(k));
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
                 << "node " << describe() << " (" << node.op_type()
                 << ", opset " << opset << "): " << msg;
  throw ImportAbort{st};
}

int64_t NodeCtx::normAxis(int64_t axis, int64_t rank, StringRef what) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    fail(what + " " + Twine(axis) + " is out of range for rank " + Twine(rank));
  return a;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

static std::string shapeStr(ArrayRef<int64_t> s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "x" : "") + std::to_string(s[i]);
  return r.empty() ? "scalar" : r;
}

OwningOpRef<ModuleOp> Importer::importModel(onnx::ModelProto &model,
                                            OnnxImportStatus &status) {
  status = OnnxImportStatus::Success;
  try {
    const onnx::GraphProto &graph = model.graph();
    Location floc = fileLoc();
    auto module = ModuleOp::create(floc);
    builder.setInsertionPointToEnd(module.getBody());

    // Graph inputs (initializers may also be listed as inputs: IR < 4).
    std::set<std::string> initNames;
    for (const auto &t : graph.initializer())
      initNames.insert(t.name());
    for (auto &kv : opts.inputShapes) {
      bool found = false;
      for (const auto &vi : graph.input())
        found |= vi.name() == kv.first && !initNames.count(vi.name());
      if (!found)
        abortAt(floc, "--shape-info names '" + kv.first +
                          "', which is not a graph input of the model");
    }
    SmallVector<Type> argTypes;
    SmallVector<const onnx::ValueInfoProto *> inputs;
    SmallVector<std::pair<int32_t, Shape>> inputInfo;
    for (const auto &vi : graph.input()) {
      if (initNames.count(vi.name()))
        continue;
      Location loc = NameLoc::get(StringAttr::get(ctx, vi.name()), floc);
      if (!vi.type().has_tensor_type())
        abortAt(loc, "unsupported: graph input '" + vi.name() +
                         "' is not a tensor (sequences, maps and optionals "
                         "are not supported)",
                OnnxImportStatus::Unsupported);
      const auto &tt = vi.type().tensor_type();
      int32_t dt = tt.elem_type();
      if (dt == 0)
        abortAt(loc, "graph input '" + vi.name() + "' has no element type");
      Shape shape;
      auto over = opts.inputShapes.find(vi.name());
      if (!tt.has_shape() && over == opts.inputShapes.end())
        abortAt(loc, "graph input '" + vi.name() +
                         "' has no shape; give one with --shape-info=" +
                         vi.name() + ":d0xd1x...");
      if (tt.has_shape()) {
        for (int d = 0; d < tt.shape().dim_size(); ++d) {
          const auto &dim = tt.shape().dim(d);
          shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
        }
      }
      if (over != opts.inputShapes.end()) {
        const auto &s = over->second;
        if (tt.has_shape() && s.size() != shape.size())
          abortAt(loc, "--shape-info gives rank " + Twine((int64_t)s.size()) +
                           " for graph input '" + vi.name() +
                           "' but the model declares rank " +
                           Twine((int64_t)shape.size()));
        shape.resize(s.size(), -1);
        for (size_t d = 0; d < s.size(); ++d) {
          if (s[d] >= 0 && shape[d] >= 0 && s[d] != shape[d])
            abortAt(loc, "--shape-info gives dim " + Twine((int64_t)d) + " = " +
                             Twine(s[d]) + " for graph input '" + vi.name() +
                             "' but the model fixes it to " + Twine(shape[d]));
          if (s[d] >= 0)
            shape[d] = s[d];
        }
      }
      for (size_t d = 0; d < shape.size(); ++d)
        if (shape[d] < 0) {
          std::string hint;
          for (size_t e = 0; e < shape.size(); ++e)
            hint += (e ? "x" : "") + (shape[e] < 0 ? std::string("N") : std::to_string(shape[e]));
          abortAt(loc, "graph input '" + vi.name() + "' has a dynamic dimension " +
                           Twine((int64_t)d) + "; fix it with --shape-info=" +
                           vi.name() + ":" + hint + " (N: the size you need)");
        }
      argTypes.push_back(tensorType(shape, dt, loc));
      inputs.push_back(&vi);
      inputInfo.push_back({dt, shape});
    }

    // Output types are only known after the body; create the function with
    // a placeholder type and fix it at the end.
    auto func = func::FuncOp::create(builder, floc, opts.funcName,
                                     builder.getFunctionType(argTypes, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    for (size_t i = 0; i < inputs.size(); ++i) {
      TValue tv;
      tv.value = entry->getArgument(i);
      tv.dtype = inputInfo[i].first;
      tv.shape = inputInfo[i].second;
      define(inputs[i]->name(), std::move(tv));
      func.setArgAttr(i, "lut.name", builder.getStringAttr(inputs[i]->name()));
      func.setArgAttr(i, "lut.dtype",
                      builder.getStringAttr(dtypeName(inputInfo[i].first)));
    }
    for (const auto &t : graph.initializer()) {
      Location loc = NameLoc::get(StringAttr::get(ctx, t.name()), floc);
      define(t.name(), decodeTensor(t, loc, /*keepOnHost=*/true));
    }

    // Nodes, in the (checker-verified) topological order.
    int nodeIndex = 0;
    for (const auto &node : graph.node()) {
      Location loc = nodeLoc(node);
      std::string domain = node.domain();
      if (domain == "ai.onnx")
        domain = "";
      auto it = opsetByDomain.find(domain);
      int64_t opset = it == opsetByDomain.end() ? 0 : it->second;
      NodeCtx n{*this, node, opset, loc, builder, nodeIndex++};
      if (!domain.empty())
        n.unsupported("operator '" + node.op_type() + "' of domain '" +
                      domain + "'");
      for (int i = 0; i < node.input_size(); ++i)
        if (!node.input(i).empty() && !lookup(node.input(i)))
          n.fail("input '" + node.input(i) +
                 "' is not produced by any node, graph input or initializer "
                 "(dangling edge)");
      if (tryHostEval(n))
        continue;
      if (!importNode(n))
        n.unsupported("ONNX operator '" + node.op_type() +
                      "' is not supported by lut-mlir");
      for (int i = 0; i < node.output_size(); ++i)
        if (!node.output(i).empty() && !lookup(node.output(i)))
          n.unsupported("output #" + Twine(i) + " ('" + node.output(i) +
                        "') is not supported");
    }

    // Results.
    SmallVector<Value> results;
    SmallVector<Type> resultTypes;
    SmallVector<std::pair<std::string, int32_t>> outInfo;
    for (const auto &vi : graph.output()) {
      Location loc = NameLoc::get(StringAttr::get(ctx, vi.name()), floc);
      TValue *tv = lookup(vi.name());
      if (!tv)
        abortAt(loc, "graph output '" + vi.name() +
                         "' is not produced by any node (dangling edge)");
      if (vi.type().has_tensor_type()) {
        const auto &tt = vi.type().tensor_type();
        if (tt.elem_type() != 0 && tt.elem_type() != tv->dtype)
          abortAt(loc, Twine("graph output '") + vi.name() + "' is declared " +
                           dtypeName(tt.elem_type()) + " but computes " +
                           dtypeName(tv->dtype));
        if (tt.has_shape()) {
          bool mismatch = tt.shape().dim_size() != (int)tv->shape.size();
          for (int d = 0; !mismatch && d < tt.shape().dim_size(); ++d)
            if (tt.shape().dim(d).has_dim_value() &&
                tt.shape().dim(d).dim_value() != tv->shape[d])
              mismatch = true;
          if (mismatch)
            abortAt(loc, "graph output '" + vi.name() +
                             "' is declared with a shape that differs from the "
                             "computed shape " + shapeStr(tv->shape));
        }
      }
      Value v = materialize(*tv, loc);
      results.push_back(v);
      resultTypes.push_back(v.getType());
      outInfo.push_back({vi.name(), tv->dtype});
    }
    func::ReturnOp::create(builder, floc, results);
    func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
    for (size_t i = 0; i < outInfo.size(); ++i) {
      func.setResultAttr(i, "lut.name", builder.getStringAttr(outInfo[i].first));
      func.setResultAttr(i, "lut.dtype",
                         builder.getStringAttr(dtypeName(outInfo[i].second)));
    }
    if (failed(verify(module))) {
      status = OnnxImportStatus::InvalidModel;
      module->erase();
      return nullptr;
    }
    return module;
  } catch (ImportAbort &a) {
    status = a.status;
    return nullptr;
  }
}

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
