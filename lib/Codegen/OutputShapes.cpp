//===- OutputShapes.cpp - the model's output-shape function ----------------===//
//
// Implements `lut-output-shapes` (Passes.td): for an entry function with
// dynamic dims, a companion function that computes the shapes of its
// results from its arguments, so that the runtime can allocate the outputs
// before it runs the model.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lut {
#define GEN_PASS_DEF_LUTOUTPUTSHAPES
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

bool lut::hasDynamicSignature(func::FuncOp func) {
  auto dynamic = [](Type t) {
    auto s = dyn_cast<ShapedType>(t);
    return s && !s.hasStaticShape();
  };
  FunctionType fty = func.getFunctionType();
  return llvm::any_of(fty.getInputs(), dynamic) || llvm::any_of(fty.getResults(), dynamic);
}

namespace {

struct LutOutputShapesPass : public lut::impl::LutOutputShapesBase<LutOutputShapesPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp m = getOperation();
    auto func = m.lookupSymbol<func::FuncOp>(entry);
    if (!func) {
      m.emitError() << "lut-output-shapes: no function '" << entry << "' in the module";
      return signalPassFailure();
    }
    if (!lut::hasDynamicSignature(func))
      return;
    std::string name = entry + lut::kOutputShapesSuffix.str();
    if (m.lookupSymbol(name)) {
      m.emitError() << "lut-output-shapes: the module already has a symbol '" << name << "'";
      return signalPassFailure();
    }
    for (Type t : func.getFunctionType().getResults())
      if (!isa<RankedTensorType>(t)) {
        func.emitError() << "lut-output-shapes: result of type " << t
                         << " is not a ranked tensor";
        return signalPassFailure();
      }

    // A clone of the entry that returns every result dim as an index.
    OpBuilder b(func);
    b.setInsertionPointAfter(func);
    auto shapes = cast<func::FuncOp>(b.clone(*func));
    shapes.setSymName(name);
    for (unsigned i = 0; i < shapes.getNumArguments(); ++i)
      shapes.setArgAttrs(i, DictionaryAttr::get(&getContext()));
    shapes->removeAttr(lut::kSignatureAttrName);
    auto ret = cast<func::ReturnOp>(shapes.getBody().back().getTerminator());
    b.setInsertionPoint(ret);
    SmallVector<Value> dims;
    for (Value v : ret.getOperands()) {
      auto t = cast<RankedTensorType>(v.getType());
      for (int64_t d = 0; d < t.getRank(); ++d)
        dims.push_back(t.isDynamicDim(d)
                           ? (Value)tensor::DimOp::create(b, ret.getLoc(), v, d)
                           : (Value)arith::ConstantIndexOp::create(b, ret.getLoc(),
                                                                   t.getDimSize(d)));
    }
    func::ReturnOp::create(b, ret.getLoc(), dims);
    ret.erase();
    SmallVector<Type> resultTypes(dims.size(), b.getIndexType());
    shapes.setFunctionType(b.getFunctionType(shapes.getArgumentTypes(), resultTypes));
    shapes.setAllResultAttrs(ArrayRef<DictionaryAttr>{});

    // Resolve the dims through the ops that produced them; what computes
    // only data is then dead and erased.
    RewritePatternSet patterns(&getContext());
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    memref::populateResolveShapedTypeResultDimsPatterns(patterns);
    tensor::DimOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(shapes, std::move(patterns)))) {
      shapes.emitError() << "lut-output-shapes: resolving the output dims did not converge";
      return signalPassFailure();
    }
  }
};

} // namespace
