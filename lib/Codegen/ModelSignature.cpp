//===- ModelSignature.cpp - the model ABI's signature text ----------------===//
//
// Implements `lut-model-signature` (Passes.td) and lut::buildModelSignature.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"
#include "lut/Support/MLIRTypes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"

namespace lut {
#define GEN_PASS_DEF_LUTMODELSIGNATURE
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// One `input|output <i> <dtype> <shape> <name>` line, or failure.
FailureOr<std::string> signatureLine(func::FuncOp func, StringRef kind, unsigned i,
                                     Type t, DictionaryAttr attrs) {
  auto tt = dyn_cast<RankedTensorType>(t);
  if (!tt)
    return func.emitError() << kind << " #" << i << " of '" << func.getSymName()
                            << "' must be a ranked tensor, got " << t;
  auto name = attrs ? attrs.getAs<StringAttr>("lut.name") : nullptr;
  auto dtype = attrs ? attrs.getAs<StringAttr>("lut.dtype") : nullptr;
  const char *dt = lut::dtypeNameForType(tt.getElementType(), dtype);
  if (!dt && dtype)
    return func.emitError() << kind << " #" << i << " has lut.dtype " << dtype
                            << ", which does not match its element type "
                            << tt.getElementType();
  if (!dt)
    return func.emitError() << kind << " #" << i
                            << " has an element type with no ONNX equivalent: "
                            << tt.getElementType();
  // Dynamic dims: `?` and the dim's name, if any (lut.dim_names).
  auto dimNames = attrs ? attrs.getAs<ArrayAttr>("lut.dim_names") : nullptr;
  std::string shape;
  for (int64_t d = 0; d < tt.getRank(); ++d) {
    std::string dim;
    if (tt.isDynamicDim(d)) {
      dim = "?";
      if (dimNames && d < (int64_t)dimNames.size())
        if (auto s = dyn_cast<StringAttr>(dimNames[d]))
          for (char c : s.getValue())
            dim.push_back(llvm::isAlnum(c) || c == '_' || c == '.' || c == '-' ? c : '_');
    } else {
      dim = std::to_string(tt.getDimSize(d));
    }
    shape += (d ? "," : "") + dim;
  }
  if (shape.empty())
    shape = "scalar";
  // The name ends the line: control characters would break the format.
  std::string nm = name ? name.str() : "";
  for (char &c : nm)
    if ((unsigned char)c < 0x20 || c == 0x7f)
      c = '?';
  return (kind + " " + Twine(i) + " " + Twine(dt) + " " + shape + " " + nm + "\n").str();
}

struct LutModelSignaturePass : public lut::impl::LutModelSignatureBase<LutModelSignaturePass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp m = getOperation();
    auto func = m.lookupSymbol<func::FuncOp>(entry);
    if (!func) {
      m.emitError() << "lut-model-signature: no function '" << entry << "' in the module";
      return signalPassFailure();
    }
    FailureOr<std::string> sig = lut::buildModelSignature(func);
    if (failed(sig))
      return signalPassFailure();
    func->setAttr(lut::kSignatureAttrName, StringAttr::get(&getContext(), *sig));
    // The attributes have served the signature; lowering has no use for them.
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      func.removeArgAttr(i, "lut.name");
      func.removeArgAttr(i, "lut.dtype");
      func.removeArgAttr(i, "lut.dim_names");
    }
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      func.removeResultAttr(i, StringAttr::get(&getContext(), "lut.name"));
      func.removeResultAttr(i, StringAttr::get(&getContext(), "lut.dtype"));
      func.removeResultAttr(i, StringAttr::get(&getContext(), "lut.dim_names"));
    }
  }
};

} // namespace

/// `target <triple> <cpu> <features>` from the module's target attributes.
static std::string targetLine(Operation *module) {
  auto attr = [&](StringRef name, StringRef dflt) {
    auto a = module ? module->getAttrOfType<StringAttr>(name) : nullptr;
    return a && !a.getValue().empty() ? a.getValue().str() : dflt.str();
  };
  std::string enabled, featureStr = attr(lut::kTargetFeaturesAttrName, "");
  SmallVector<StringRef> features;
  StringRef(featureStr).split(features, ',', -1, false);
  for (StringRef f : features)
    if (f.consume_front("+"))
      enabled += (enabled.empty() ? "" : ",") + f.str();
  return "target " + attr(LLVM::LLVMDialect::getTargetTripleAttrName(), "unknown") + " " +
         attr(lut::kTargetCpuAttrName, "generic") + " " + (enabled.empty() ? "-" : enabled) +
         "\n";
}

FailureOr<std::string> lut::buildModelSignature(func::FuncOp func) {
  std::string sig = "lut-model v1\n" + targetLine(func->getParentOp());
  FunctionType fty = func.getFunctionType();
  if (fty.getNumResults() == 0)
    return func.emitError() << "'" << func.getSymName()
                            << "' has no results; a compiled model needs at least one output";
  for (unsigned i = 0; i < fty.getNumInputs(); ++i) {
    auto line = signatureLine(func, "input", i, fty.getInput(i), func.getArgAttrDict(i));
    if (failed(line))
      return failure();
    sig += *line;
  }
  for (unsigned i = 0; i < fty.getNumResults(); ++i) {
    auto line = signatureLine(func, "output", i, fty.getResult(i), func.getResultAttrDict(i));
    if (failed(line))
      return failure();
    sig += *line;
  }
  return sig;
}
