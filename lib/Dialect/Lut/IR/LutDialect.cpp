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

/// Checks one `lut.hls_*` attribute (docs/HLS.md); `error` starts the
/// diagnostic.
template <class ErrorFn>
static LogicalResult verifyHlsAttribute(StringRef name, Attribute value, ErrorFn error) {
  if (name == "lut.hls_top" || name == "lut.hls_dataflow")
    return isa<UnitAttr>(value) ? success() : error() << "must be a unit attribute";
  if (name == "lut.hls_results" || name == "lut.hls_pipeline_ii" || name == "lut.hls_unroll") {
    auto i = dyn_cast<IntegerAttr>(value);
    int64_t min = name == "lut.hls_results" ? 0 : 1;
    if (!i || !i.getType().isSignlessInteger() || i.getInt() < min)
      return error() << "must be an integer >= " << min << ", got " << value;
    return success();
  }
  if (name == "lut.hls_arg_names") {
    auto arr = dyn_cast<ArrayAttr>(value);
    if (!arr || !llvm::all_of(arr, [](Attribute a) { return isa<StringAttr>(a); }))
      return error() << "must be an array of strings, got " << value;
    return success();
  }
  if (name == "lut.hls_partition") {
    auto arr = dyn_cast<ArrayAttr>(value);
    if (!arr)
      return error() << "must be an array of dictionaries, got " << value;
    for (Attribute a : arr) {
      auto d = dyn_cast<DictionaryAttr>(a);
      auto pragma = d ? d.getAs<StringAttr>("pragma") : StringAttr();
      auto type = d ? d.getAs<StringAttr>("type") : StringAttr();
      auto dim = d ? d.getAs<IntegerAttr>("dim") : IntegerAttr();
      auto factor = d ? d.getAs<IntegerAttr>("factor") : IntegerAttr();
      if (!pragma || !llvm::is_contained({"partition", "reshape"}, pragma.getValue()) || !type ||
          !llvm::is_contained({"complete", "cyclic", "block"}, type.getValue()) || !dim ||
          dim.getInt() < 1 || (type.getValue() != "complete" && (!factor || factor.getInt() < 1)))
        return error() << "entry " << a
                       << " is not {pragma = partition|reshape, type = complete|cyclic|block, "
                          "dim = D >= 1[, factor = F >= 1 unless complete]}";
    }
    return success();
  }
  auto str = dyn_cast<StringAttr>(value);
  if (!str)
    return error() << "must be a string attribute, got " << value;
  if (name == "lut.hls_kernel" &&
      !llvm::is_contained({"ffn", "lsh_encode", "gather_sum"}, str.getValue()))
    return error() << "is '" << str.getValue() << "', not ffn, lsh_encode or gather_sum";
  if (name == "lut.hls_interface" && str.getValue() != "m_axi")
    return error() << "is '" << str.getValue() << "'; the HLS emitter offers m_axi for arrays";
  if (name == "lut.hls_storage") {
    auto [type, impl] = str.getValue().split(':');
    if (!llvm::is_contained({"rom_1p", "rom_2p", "rom_np", "ram_1p", "ram_2p", "ram_s2p",
                             "ram_t2p"},
                            type) ||
        !llvm::is_contained({"bram", "uram", "lutram", "auto"}, impl))
      return error() << "is '" << str.getValue()
                     << "', not TYPE:IMPL with TYPE a Vitis HLS storage type (rom_1p, rom_2p, "
                        "rom_np, ram_1p, ram_2p, ram_s2p, ram_t2p) and IMPL bram, uram, lutram "
                        "or auto";
  }
  return success();
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
  if (name.starts_with("lut.hls_")) {
    static const StringLiteral hlsNames[] = {
        "lut.hls_kernel", "lut.hls_arg_names", "lut.hls_results", "lut.hls_top",
        "lut.hls_dataflow", "lut.hls_interface", "lut.hls_bundle", "lut.hls_pipeline_ii",
        "lut.hls_unroll", "lut.hls_storage", "lut.hls_partition"};
    if (!llvm::is_contained(hlsNames, name)) {
      InFlightDiagnostic diag = error();
      diag << "is not a lut dialect attribute (the HLS ones: ";
      llvm::interleaveComma(hlsNames, diag);
      return diag << ")";
    }
    return verifyHlsAttribute(name, attr.getValue(), error);
  }
  bool known = name == dialect.getNameAttrHelper().getNameStr() ||
               name == dialect.getDtypeAttrHelper().getNameStr() ||
               name == dialect.getSignatureAttrHelper().getNameStr() ||
               name == dialect.getTargetCpuAttrHelper().getNameStr() ||
               name == dialect.getTargetFeaturesAttrHelper().getNameStr() ||
               name == dialect.getDimNamesAttrHelper().getNameStr();
  if (!known)
    return error() << "is not a lut dialect attribute (known: lut.name, "
                      "lut.dtype, lut.dim_names, lut.signature, lut.target_cpu, "
                      "lut.target_features, lut.hls_*)";
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
