//===- EmitCpp.cpp - HLS C++ from affine/scf loops on static memrefs -------===//
//
// The translation behind `lut-translate --emit-hls-cpp` and `lutc
// --emit=hls`, in the manner of ScaleHLS's EmitHLSCpp: one C++ function per
// func.func, one C statement per op, flat arrays for memrefs (views become
// index arithmetic on their root array), pragmas from the lut.hls_*
// attributes. The accepted level is documented in docs/HLS.md.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "lut/HLS/EmitHLSCpp.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringSet.h"


#include <cctype>
#include <cmath>
#include <cstring>

using namespace mlir;
using lut::hls::Emitter;

Emitter::Emitter(ModuleOp module, raw_ostream &os) : os(os), module(module), symbols(module) {
  // Globals used by one function only are declared inside it, where
  // BIND_STORAGE and ARRAY_PARTITION may name them.
  llvm::StringMap<func::FuncOp> users;
  llvm::StringSet<> shared;
  module.walk([&](memref::GetGlobalOp get) {
    auto f = get->getParentOfType<func::FuncOp>();
    auto [it, inserted] = users.try_emplace(get.getName(), f);
    if (!inserted && it->second != f)
      shared.insert(get.getName());
  });
  for (auto &u : users)
    if (!shared.contains(u.getKey()))
      localGlobals[u.getKey()] = u.second;
}

std::string Emitter::fresh(StringRef prefix) { return (prefix + Twine(counter++)).str(); }

void Emitter::pragma(const Twine &text) { os << "#pragma HLS " << text << "\n"; }

std::string lut::hls::cTypeName(Type t) {
  if (t.isIndex())
    return "int";
  if (t.isF32())
    return "float";
  if (t.isF64())
    return "double";
  if (t.isInteger(1))
    return "bool";
  if (auto i = dyn_cast<IntegerType>(t))
    if (llvm::is_contained({8u, 16u, 32u, 64u}, i.getWidth()))
      return "int" + std::to_string(i.getWidth()) + "_t";
  return "";
}

std::string lut::hls::cIdentifier(StringRef name, StringRef fallback) {
  // C++17 keywords and alternative tokens, and names the emitted code uses.
  static const char *const kReserved[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char16_t", "char32_t", "class", "compl", "const", "constexpr",
      "const_cast", "continue", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_assert",
      "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
      "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
      "volatile", "wchar_t", "while", "xor", "xor_eq", "main", "std", "int8_t", "int16_t",
      "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "NAN", "INFINITY"};
  std::string s;
  for (char c : name)
    s += std::isalnum((unsigned char)c) ? c : '_';
  if (s.empty() || llvm::all_of(s, [](char c) { return c == '_'; }))
    return fallback.str();
  if (std::isdigit((unsigned char)s[0]) || s[0] == '_')
    s = fallback.str() + "_" + s;
  if (llvm::is_contained(kReserved, StringRef(s)))
    s += "_";
  return s;
}

std::string Emitter::cType(Type t, Location loc) {
  std::string name = cTypeName(t);
  if (!name.empty())
    return name;
  typeError = true;
  if (isa<TensorType>(t)) {
    emitError(loc) << "the HLS C++ emitter takes the HLS level (memrefs), not " << t
                   << ": run lut-hls-pipeline (lut-opt --lut-hls-pipeline) first";
    return "";
  }
  emitError(loc) << "the HLS C++ emitter has no C type for " << t
                 << " (it emits f32, f64, index and i1/i8/i16/i32/i64; use --lut-tables=i8 "
                    "or f32 for tables)";
  return "";
}

std::string Emitter::literal(TypedAttr attr) {
  if (auto f = dyn_cast<FloatAttr>(attr)) {
    double v = f.getValueAsDouble();
    bool single = f.getType().isF32();
    if (std::isnan(v))
      return single ? "NAN" : "(double)NAN";
    if (std::isinf(v))
      return std::string(v < 0 ? "(-" : "(") + (single ? "INFINITY)" : "(double)INFINITY)");
    char buf[40];
    std::snprintf(buf, sizeof buf, single ? "%.9g" : "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".e") == std::string::npos)
      s += ".0";
    if (single)
      s += "f";
    if (s[0] == '-')
      s = "(" + s + ")";
    return s;
  }
  auto i = cast<IntegerAttr>(attr);
  if (i.getType().isInteger(1))
    return i.getValue().isZero() ? "false" : "true";
  int64_t v = i.getType().isIndex() ? i.getInt() : i.getValue().getSExtValue();
  if (v == INT64_MIN)
    return "INT64_MIN";
  std::string s = std::to_string(v);
  if (i.getType().isInteger(64))
    s += "LL";
  return v < 0 ? "(" + s + ")" : s;
}

std::string Emitter::expr(Value v) {
  auto it = names.find(v);
  if (it != names.end())
    return it->second;
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    return literal(c.getValue());
  return "/*undefined*/0";
}

void Emitter::assign(Value v, const std::string &rhs) {
  std::string t = cType(v.getType(), v.getLoc());
  std::string n = fresh("v");
  os << t << " " << n << " = " << rhs << ";\n";
  names[v] = n;
}

//===----------------------------------------------------------------------===//
// Affine expressions and memref views
//===----------------------------------------------------------------------===//

std::string Emitter::affineExpr(AffineExpr e, ArrayRef<std::string> dims,
                                ArrayRef<std::string> syms) {
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return c.getValue() < 0 ? "(" + std::to_string(c.getValue()) + ")"
                            : std::to_string(c.getValue());
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return dims[d.getPosition()];
  if (auto s = dyn_cast<AffineSymbolExpr>(e))
    return syms[s.getPosition()];
  auto bin = cast<AffineBinaryOpExpr>(e);
  std::string l = affineExpr(bin.getLHS(), dims, syms), r = affineExpr(bin.getRHS(), dims, syms);
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return "(" + l + " + " + r + ")";
  case AffineExprKind::Mul:
    return "(" + l + " * " + r + ")";
  case AffineExprKind::Mod:
    return "lut_mod(" + l + ", " + r + ")";
  case AffineExprKind::FloorDiv:
    return "lut_floordiv(" + l + ", " + r + ")";
  case AffineExprKind::CeilDiv:
    return "lut_ceildiv(" + l + ", " + r + ")";
  default:
    return "0";
  }
}

SmallVector<std::string> Emitter::affineResults(AffineMap map, ValueRange operands) {
  SmallVector<std::string> dims, syms, out;
  for (unsigned i = 0; i < map.getNumDims(); ++i)
    dims.push_back(expr(operands[i]));
  for (unsigned i = 0; i < map.getNumSymbols(); ++i)
    syms.push_back(expr(operands[map.getNumDims() + i]));
  for (AffineExpr e : map.getResults())
    out.push_back(affineExpr(e, dims, syms));
  return out;
}

FailureOr<Emitter::View> Emitter::viewOf(Value m, Location loc) {
  auto it = views.find(m);
  if (it != views.end())
    return it->second;
  emitError(loc) << "the HLS C++ emitter cannot trace this memref to an array (an argument, "
                    "memref.alloc, memref.alloca or memref.get_global)";
  return failure();
}

std::string Emitter::access(Value m, ArrayRef<std::string> idx) {
  const View &v = views[m];
  if (v.multiDim) {
    std::string s = v.root;
    for (const std::string &i : idx)
      s += "[" + i + "]";
    return s;
  }
  std::string lin;
  auto add = [&](const std::string &term) { lin += (lin.empty() ? "" : " + ") + term; };
  if (v.offset != "0")
    add(v.offset);
  for (auto [i, s] : llvm::zip(idx, v.strides)) {
    if (s == 0)
      continue;
    add(s == 1 ? i : i + " * " + std::to_string(s));
  }
  return v.root + "[" + (lin.empty() ? "0" : lin) + "]";
}

//===----------------------------------------------------------------------===//
// Globals
//===----------------------------------------------------------------------===//

LogicalResult Emitter::writeElements(memref::GlobalOp g) {
  MemRefType type = g.getType();
  Type et = type.getElementType();
  int64_t n = type.getNumElements();
  auto init = dyn_cast_or_null<ElementsAttr>(g.getInitialValueAttr());
  int64_t col = 0;
  auto sep = [&]() {
    if (col++ % 24 == 0)
      os << "\n";
    else
      os << " ";
  };
  auto emitInt = [&](int64_t v) {
    sep();
    if (et.isInteger(1))
      os << (v ? "true" : "false");
    else if (v == INT64_MIN)
      os << "INT64_MIN";
    else
      os << v << (et.isInteger(64) ? "LL" : "");
    os << ",";
  };
  auto emitFloat = [&](double v) {
    sep();
    os << literal(FloatAttr::get(et, v)) << ",";
  };
  if (auto dense = dyn_cast<DenseElementsAttr>(init)) {
    if (isa<FloatType>(et))
      for (const APFloat &v : dense.getValues<APFloat>())
        emitFloat(v.convertToDouble());
    else
      for (const APInt &v : dense.getValues<APInt>())
        emitInt(et.isInteger(1) ? (int64_t)v.getZExtValue() : v.getSExtValue());
    return success();
  }
  auto res = dyn_cast<DenseResourceElementsAttr>(init);
  AsmResourceBlob *blob = res ? res.getRawHandle().getBlob() : nullptr;
  int64_t esz = et.isInteger(1) ? 1 : type.getElementTypeBitWidth() / 8;
  if (!blob || (int64_t)blob->getData().size() != n * esz)
    return g.emitError("the HLS C++ emitter cannot read the initial value of global '")
           << g.getSymName() << "' (" << n << " elements of " << et << ")";
  const char *p = blob->getData().data();
  for (int64_t i = 0; i < n; ++i, p += esz) {
    if (et.isF32()) {
      float f;
      std::memcpy(&f, p, 4);
      emitFloat(f);
    } else if (et.isF64()) {
      double d;
      std::memcpy(&d, p, 8);
      emitFloat(d);
    } else if (esz == 1) {
      emitInt(et.isInteger(1) ? (int64_t)(p[0] != 0) : (int64_t)(int8_t)p[0]);
    } else if (esz == 2) {
      int16_t v;
      std::memcpy(&v, p, 2);
      emitInt(v);
    } else if (esz == 4) {
      int32_t v;
      std::memcpy(&v, p, 4);
      emitInt(v);
    } else {
      int64_t v;
      std::memcpy(&v, p, 8);
      emitInt(v);
    }
  }
  return success();
}

LogicalResult Emitter::emitGlobal(memref::GlobalOp g, bool local) {
  MemRefType type = g.getType();
  std::string t = cType(type.getElementType(), g.getLoc());
  if (t.empty())
    return failure();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return g.emitError("the HLS C++ emitter needs a statically shaped global with the identity "
                       "layout");
  std::string name = cIdentifier(g.getSymName(), "g");
  bool multi = g->hasAttr("lut.hls_partition");
  os << "static " << (g.getConstant() ? "const " : "") << t << " " << name;
  if (multi)
    for (int64_t d : type.getShape())
      os << "[" << d << "]";
  else
    os << "[" << std::max<int64_t>(1, type.getNumElements()) << "]";
  if (g.getInitialValueAttr() && !isa<UnitAttr>(g.getInitialValueAttr())) {
    os << " = {";
    if (multi)
      os << "/* row-major */";
    if (failed(writeElements(g)))
      return failure();
    os << "\n}";
  }
  os << ";\n";
  if (local) {
    if (auto storage = g->getAttrOfType<StringAttr>("lut.hls_storage")) {
      auto [type, impl] = storage.getValue().split(':');
      pragma("BIND_STORAGE variable=" + name + " type=" + type + " impl=" + impl);
    }
    if (auto parts = g->getAttrOfType<ArrayAttr>("lut.hls_partition"))
      for (Attribute a : parts) {
        auto d = cast<DictionaryAttr>(a);
        std::string text = d.getAs<StringAttr>("pragma").getValue() == "reshape"
                               ? "ARRAY_RESHAPE"
                               : "ARRAY_PARTITION";
        text += " variable=" + name + " type=" + d.getAs<StringAttr>("type").getValue().str();
        if (auto f = d.getAs<IntegerAttr>("factor"))
          text += " factor=" + std::to_string(f.getInt());
        text += " dim=" + std::to_string(d.getAs<IntegerAttr>("dim").getInt());
        pragma(text);
      }
  }
  return success();
}
