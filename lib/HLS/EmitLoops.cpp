//===- EmitLoops.cpp - HLS C++ for memref ops, loops and branches ----------===//
#include "Emitter.h"

#include "lut/HLS/EmitHLSCpp.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using lut::hls::Emitter;

LogicalResult Emitter::emitMemRef(Operation *op, bool &handled) {
  handled = true;
  auto typeOf = [](Value v) { return cast<MemRefType>(v.getType()); };
  auto staticStrides = [&](MemRefType t, Location loc) -> FailureOr<SmallVector<int64_t>> {
    if (t.getLayout().isIdentity() && t.hasStaticShape())
      return rowMajorStrides(t.getShape());
    auto [strides, offset] = t.getStridesAndOffset();
    if (llvm::any_of(strides, ShapedType::isDynamic)) {
      emitError(loc) << "the HLS C++ emitter needs static strides, not " << t;
      return failure();
    }
    return SmallVector<int64_t>(strides);
  };
  // A view with the result type's strides and `offset`.
  auto deriveView = [&](Value result, Value source, std::string offset) -> LogicalResult {
    FailureOr<View> src = viewOf(source, op->getLoc());
    if (failed(src))
      return failure();
    if (src->multiDim)
      return op->emitError("the HLS C++ emitter cannot take views of the partitioned array '")
             << src->root << "' (lut.hls_partition): partitioned globals are used whole";
    MemRefType t = typeOf(result);
    FailureOr<SmallVector<int64_t>> strides = staticStrides(t, op->getLoc());
    if (failed(strides))
      return failure();
    int64_t staticOffset = t.getLayout().isIdentity() ? 0 : t.getStridesAndOffset().second;
    if (!ShapedType::isDynamic(staticOffset))
      offset = std::to_string(staticOffset);
    views[result] = View{src->root, offset.empty() ? src->offset : offset, *strides, false, {}};
    return success();
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<memref::AllocOp, memref::AllocaOp>([&](auto alloc) -> LogicalResult {
        MemRefType t = alloc.getType();
        if (!t.hasStaticShape() || !t.getLayout().isIdentity())
          return alloc.emitError("the HLS C++ emitter needs static buffers (no dynamic memory); "
                                 "this one is ")
                 << t;
        std::string et = cType(t.getElementType(), alloc.getLoc());
        if (et.empty())
          return failure();
        std::string n = fresh("buf");
        // Static (not on the stack) outside DATAFLOW regions: C simulation
        // of whole models would overflow the stack otherwise; HLS maps
        // both to on-chip memories.
        os << (inDataflow ? "" : "static ") << et << " " << n << "["
           << std::max<int64_t>(1, t.getNumElements()) << "];\n";
        views[alloc.getResult()] = View{n, "0", *staticStrides(t, alloc.getLoc()), false, {}};
        return success();
      })
      .Case([&](memref::DeallocOp) { return success(); })
      .Case([&](memref::GetGlobalOp get) -> LogicalResult {
        auto g = symbols.lookup<memref::GlobalOp>(get.getName());
        if (!g)
          return get.emitError("unknown global '") << get.getName() << "'";
        MemRefType t = g.getType();
        bool multi = g->hasAttr("lut.hls_partition");
        views[get.getResult()] =
            View{cIdentifier(g.getSymName(), "g"), "0", *staticStrides(t, get.getLoc()), multi,
                 SmallVector<int64_t>(t.getShape())};
        return success();
      })
      .Case([&](memref::SubViewOp sv) -> LogicalResult {
        FailureOr<View> src = viewOf(sv.getSource(), sv.getLoc());
        if (failed(src))
          return failure();
        // Offset: the source's plus each offset times the source's stride.
        std::string off = src->offset;
        unsigned dyn = 0;
        for (auto [i, o] : llvm::enumerate(sv.getStaticOffsets())) {
          std::string e = ShapedType::isDynamic(o) ? expr(sv.getOffsets()[dyn++])
                                                   : std::to_string(o);
          if (e != "0" && i < src->strides.size())
            off = "(" + off + " + " + e + " * " + std::to_string(src->strides[i]) + ")";
        }
        return deriveView(sv.getResult(), sv.getSource(), off);
      })
      .Case([&](memref::CollapseShapeOp c) {
        return deriveView(c.getResult(), c.getSrc(), "");
      })
      .Case([&](memref::ExpandShapeOp e) {
        return deriveView(e.getResult(), e.getSrc(), "");
      })
      .Case([&](memref::CastOp c) { return deriveView(c.getResult(), c.getSource(), ""); })
      .Case([&](memref::ReinterpretCastOp c) {
        std::string off = c.getOffsets().empty() ? "" : expr(c.getOffsets()[0]);
        return deriveView(c.getResult(), c.getSource(), off);
      })
      .Case([&](memref::AssumeAlignmentOp a) {
        return deriveView(a.getResult(), a.getMemref(), "");
      })
      .Case([&](memref::LoadOp l) -> LogicalResult {
        if (failed(viewOf(l.getMemRef(), l.getLoc())))
          return failure();
        SmallVector<std::string> idx;
        for (Value i : l.getIndices())
          idx.push_back(expr(i));
        assign(l.getResult(), access(l.getMemRef(), idx));
        return success();
      })
      .Case([&](memref::StoreOp s) -> LogicalResult {
        if (failed(viewOf(s.getMemRef(), s.getLoc())))
          return failure();
        SmallVector<std::string> idx;
        for (Value i : s.getIndices())
          idx.push_back(expr(i));
        os << access(s.getMemRef(), idx) << " = " << expr(s.getValueToStore()) << ";\n";
        return success();
      })
      .Case([&](affine::AffineLoadOp l) -> LogicalResult {
        if (failed(viewOf(l.getMemRef(), l.getLoc())))
          return failure();
        assign(l.getResult(), access(l.getMemRef(), affineResults(l.getMap(), l.getMapOperands())));
        return success();
      })
      .Case([&](affine::AffineStoreOp s) -> LogicalResult {
        if (failed(viewOf(s.getMemRef(), s.getLoc())))
          return failure();
        os << access(s.getMemRef(), affineResults(s.getMap(), s.getMapOperands())) << " = "
           << expr(s.getValueToStore()) << ";\n";
        return success();
      })
      .Case([&](affine::AffineApplyOp a) {
        assign(a.getResult(), affineResults(a.getAffineMap(), a.getMapOperands())[0]);
        return success();
      })
      .Case<affine::AffineMinOp, affine::AffineMaxOp>([&](auto m) {
        bool isMin = isa<affine::AffineMinOp>(m.getOperation());
        SmallVector<std::string> r = affineResults(m.getMap(), m.getMapOperands());
        std::string e = r[0];
        for (size_t i = 1; i < r.size(); ++i)
          e = std::string(isMin ? "std::min(" : "std::max(") + e + ", " + r[i] + ")";
        assign(m.getResult(), e);
        return success();
      })
      .Default([&](Operation *o) -> LogicalResult {
        handled = false;
        if (isa<memref::MemRefDialect>(o->getDialect()))
          return o->emitError("the HLS C++ emitter does not support '")
                 << o->getName() << "' (memref.copy: run lut-memref-copy-to-linalg and "
                                    "convert-linalg-to-affine-loops first)";
        return success();
      });
}

LogicalResult Emitter::emitLoopOrBranch(Operation *op, bool &handled) {
  handled = true;
  // Loop-carried values live in variables declared before the loop; the
  // region's block arguments and the op's results name them.
  auto carried = [&](ValueRange inits, Block::BlockArgListType iterArgs, ResultRange results) {
    SmallVector<std::string> vars;
    for (auto [init, arg, res] : llvm::zip(inits, iterArgs, results)) {
      std::string n = fresh("acc");
      os << cType(arg.getType(), op->getLoc()) << " " << n << " = " << expr(init) << ";\n";
      names[arg] = n;
      names[res] = n;
      vars.push_back(n);
    }
    return vars;
  };
  auto yieldInto = [&](ArrayRef<std::string> vars, ValueRange values) {
    if (values.empty())
      return;
    // Through temporaries: a yield may permute the carried values.
    SmallVector<std::string> tmp;
    for (Value v : values) {
      std::string n = fresh("next");
      os << cType(v.getType(), op->getLoc()) << " " << n << " = " << expr(v) << ";\n";
      tmp.push_back(n);
    }
    for (auto [var, t] : llvm::zip(vars, tmp))
      os << var << " = " << t << ";\n";
  };
  auto body = [&](Block &b, ArrayRef<std::string> vars) -> LogicalResult {
    if (failed(emitBlock(b)))
      return failure();
    yieldInto(vars, b.getTerminator()->getOperands());
    return success();
  };
  // `for (int iv = lb; iv < ub; iv += step) { pragmas; body }`.
  auto loop = [&](Value ivValue, const std::string &lb, const std::string &ub,
                  const std::string &step, Block &b, ArrayRef<std::string> vars) {
    std::string iv = fresh("i");
    names[ivValue] = iv;
    os << "for (int " << iv << " = " << lb << "; " << iv << " < " << ub << "; " << iv
       << " += " << step << ") {\n";
    os.indent();
    loopPragmas(op);
    if (failed(body(b, vars)))
      return failure();
    os.unindent();
    os << "}\n";
    return success();
  };
  if (auto f = dyn_cast<affine::AffineForOp>(op)) {
    SmallVector<std::string> vars = carried(f.getInits(), f.getRegionIterArgs(), f.getResults());
    SmallVector<std::string> lb = affineResults(f.getLowerBoundMap(), f.getLowerBoundOperands());
    SmallVector<std::string> ub = affineResults(f.getUpperBoundMap(), f.getUpperBoundOperands());
    std::string l = lb[0], u = ub[0];
    for (size_t i = 1; i < lb.size(); ++i)
      l = "std::max(" + l + ", " + lb[i] + ")";
    for (size_t i = 1; i < ub.size(); ++i)
      u = "std::min(" + u + ", " + ub[i] + ")";
    return loop(f.getInductionVar(), l, u, std::to_string(f.getStepAsInt()), *f.getBody(),
                vars);
  }
  if (auto f = dyn_cast<scf::ForOp>(op)) {
    if (!f.getInductionVar().getType().isIndex())
      return f.emitError("the HLS C++ emitter supports scf.for over index only");
    SmallVector<std::string> vars = carried(f.getInits(), f.getRegionIterArgs(), f.getResults());
    return loop(f.getInductionVar(), expr(f.getLowerBound()), expr(f.getUpperBound()),
                expr(f.getStep()), *f.getBody(), vars);
  }
  if (auto i = dyn_cast<scf::IfOp>(op)) {
    SmallVector<std::string> vars;
    for (Value r : i.getResults()) {
      std::string n = fresh("sel");
      os << cType(r.getType(), op->getLoc()) << " " << n << ";\n";
      names[r] = n;
      vars.push_back(n);
    }
    os << "if (" << expr(i.getCondition()) << ") {\n";
    os.indent();
    if (failed(body(i.getThenRegion().front(), vars)))
      return failure();
    os.unindent();
    if (!i.getElseRegion().empty()) {
      os << "} else {\n";
      os.indent();
      if (failed(body(i.getElseRegion().front(), vars)))
        return failure();
      os.unindent();
    }
    os << "}\n";
    return success();
  }
  if (isa<affine::AffineYieldOp, scf::YieldOp>(op))
    return success(); // handled by the enclosing op
  handled = false;
  if (isa<scf::SCFDialect, affine::AffineDialect>(op->getDialect()))
    return op->emitError("the HLS C++ emitter does not support '")
           << op->getName() << "' (it emits affine.for, scf.for and scf.if; no unbounded loops)";
  return success();
}
