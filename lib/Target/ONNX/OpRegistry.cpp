//===- OpRegistry.cpp - The table of supported ONNX operators -------------===//
//
// Every supported operator of the default ONNX domain is registered by its
// family's register*Ops function (Ops/*.cpp) with its handler and the
// opsets its handler implements. The importer looks nodes up here; a node
// whose op is missing, or whose opset is outside its op's range, is an
// `unsupported:` error that names the op, the node and the opset.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

#include "llvm/Support/ErrorHandling.h"

using namespace lut::onnximport;

void OpRegistry::add(std::initializer_list<OpEntry> entries) {
  for (const OpEntry &e : entries) {
    if (e.minOpset > e.maxOpset || !e.handler)
      llvm::report_fatal_error("bad op table entry for " +
                               llvm::Twine(e.opType));
    if (!table.try_emplace(e.opType, e).second)
      llvm::report_fatal_error("ONNX op " + llvm::Twine(e.opType) +
                               " is registered twice");
  }
}

const OpEntry *OpRegistry::lookup(llvm::StringRef opType) const {
  auto it = table.find(opType);
  return it == table.end() ? nullptr : &it->second;
}

std::vector<const OpEntry *> OpRegistry::entries() const {
  std::vector<const OpEntry *> r;
  for (const auto &kv : table)
    r.push_back(&kv.second);
  llvm::sort(r, [](const OpEntry *a, const OpEntry *b) {
    return a->opType < b->opType;
  });
  return r;
}

const OpRegistry &lut::onnximport::onnxOps() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerReductionOps(r);
    registerContractionOps(r);
    registerShapeOps(r);
    registerSliceOps(r);
    registerNormalizationOps(r);
    return r;
  }();
  return registry;
}

const OpRegistry &lut::onnximport::lutmlirOps() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerLutmlirOps(r);
    return r;
  }();
  return registry;
}
