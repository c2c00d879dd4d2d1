//===- LutDialect.cpp - the lut dialect and its attributes ----------------===//
//
// Registers the lut ops and verifies the dialect's discardable attributes
// (`lut.name`, `lut.dtype`, `lut.signature`, `lut.target_cpu`,
// `lut.target_features`; see
// LutDialect.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Support/DTypes.h"
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace lut;

#include "lut/Dialect/Lut/IR/LutOpsDialect.cpp.inc"

void LutDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "lut/Dialect/Lut/IR/LutOps.cpp.inc"
      >();
}

ArrayRef<StringLiteral> lut::activationNames() {
  static const StringLiteral names[] = {
      "gelu", "gelu_tanh", "geglu",   "geglu_tanh", "relu", "reglu",
      "silu", "swiglu",    "sigmoid", "tanh",       "other"};
  return names;
}

bool lut::isKnownActivation(StringRef name) {
  return llvm::is_contained(activationNames(), name);
}

bool lut::isKnownDType(StringRef name) {
  return findDTypeByName(name.str().c_str()) != nullptr;
}

/// Checks one `lut.*` discardable attribute; `where` names its position
/// ("argument #0", "result #1" or "operation").
static LogicalResult verifyLutAttribute(LutDialect &dialect, Operation *op,
                                        const Twine &where,
                                        NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto error = [&]() {
    return op->emitOpError() << "'" << name << "' on " << where << " ";
  };
  bool known = name == dialect.getNameAttrHelper().getNameStr() ||
               name == dialect.getDtypeAttrHelper().getNameStr() ||
               name == dialect.getSignatureAttrHelper().getNameStr() ||
               name == dialect.getTargetCpuAttrHelper().getNameStr() ||
               name == dialect.getTargetFeaturesAttrHelper().getNameStr() ||
               name == dialect.getDimNamesAttrHelper().getNameStr();
  if (!known)
    return error() << "is not a lut dialect attribute (known: lut.name, "
                      "lut.dtype, lut.dim_names, lut.signature, lut.target_cpu, "
                      "lut.target_features)";
  if (name == dialect.getDimNamesAttrHelper().getNameStr()) {
    auto arr = dyn_cast<ArrayAttr>(attr.getValue());
    if (!arr || !llvm::all_of(arr, [](Attribute a) { return isa<StringAttr>(a); }))
      return error() << "must be an array of strings, got " << attr.getValue();
    return success();
  }
  auto str = dyn_cast<StringAttr>(attr.getValue());
  if (!str)
    return error() << "must be a string attribute, got " << attr.getValue();
  if (name == dialect.getDtypeAttrHelper().getNameStr() &&
      !isKnownDType(str.getValue())) {
    InFlightDiagnostic diag = error();
    diag << "is '" << str.getValue() << "', not an ONNX dtype name (one of ";
    llvm::interleaveComma(kDTypes, diag, [&](const DTypeInfo &d) { diag << d.name; });
    return diag << ")";
  }
  return success();
}

LogicalResult LutDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  return verifyLutAttribute(*this, op, "argument #" + Twine(argIndex), attr);
}

LogicalResult LutDialect::verifyRegionResultAttribute(Operation *op,
                                                      unsigned regionIndex,
                                                      unsigned resultIndex,
                                                      NamedAttribute attr) {
  return verifyLutAttribute(*this, op, "result #" + Twine(resultIndex), attr);
}

LogicalResult LutDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  return verifyLutAttribute(*this, op, "the operation", attr);
}
