//===- DenseCalls.cpp - f32 contractions on memrefs as LutDense calls -----===//
//
// Implements `lut-dense-calls` (Passes.td): a linalg contraction (matmul,
// batch matmul, or a generic with the same maps and a multiply-add body) on
// f32 memrefs, written into a zero-filled output, becomes one
// `lutd_batch_matmul_f32` call (include/lut-c/Dense.h), inside `scf.for`
// loops over any batch dimensions that do not fold into one.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "CallUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace lut {
#define GEN_PASS_DEF_LUTDENSECALLS
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut::codegen;

namespace {

constexpr int32_t kTransA = 1, kTransB = 2; // LUTD_TRANS_A, LUTD_TRANS_B

/// A size or stride in elements: a constant times the run-time sizes of
/// some loops (the dynamic ones), e.g. 96 * size(loop 0).
struct Sym {
  int64_t c = 0;
  SmallVector<unsigned, 2> loops; // sorted
  static Sym constant(int64_t v) { return Sym{v, {}}; }
  bool isStatic() const { return loops.empty(); }
  bool is(int64_t v) const { return isStatic() && c == v; }
  bool operator==(const Sym &o) const { return c == o.c && loops == o.loops; }
  bool operator!=(const Sym &o) const { return !(*this == o); }
  Sym operator*(const Sym &o) const {
    if (c == 0 || o.c == 0)
      return constant(0);
    Sym r{c * o.c, loops};
    r.loops.append(o.loops.begin(), o.loops.end());
    llvm::sort(r.loops);
    return r;
  }
  /// An order for sorting strides outer to inner (a dynamic size is taken
  /// as larger than any constant); only a heuristic, the contiguity checks
  /// decide.
  bool operator<(const Sym &o) const {
    return std::make_tuple(loops.size(), c) < std::make_tuple(o.loops.size(), o.c);
  }
};

/// One group of loop dimensions (M, N, K or one batch dim) folded into a
/// single dimension: its size and, per operand (A, B, C), its stride in
/// elements (0 when the operand does not use it).
struct Dim {
  Sym size = Sym::constant(1);
  Sym stride[3] = {Sym::constant(0), Sym::constant(0), Sym::constant(0)};
};

/// The strides of `type`, indexed through `map` by loops whose sizes are
/// `loopSizes`: static strides as constants; for an identity layout with
/// dynamic sizes, products of the inner dims' sizes (each a constant or the
/// size of the loop that indexes it). Failure otherwise.
FailureOr<SmallVector<Sym>> operandStrides(MemRefType type, AffineMap map,
                                           ArrayRef<Sym> loopSizes) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (succeeded(type.getStridesAndOffset(strides, offset)) &&
      llvm::none_of(strides, ShapedType::isDynamic)) {
    SmallVector<Sym> r;
    for (int64_t s : strides)
      r.push_back(Sym::constant(s));
    return r;
  }
  if (!type.getLayout().isIdentity())
    return failure();
  SmallVector<Sym> r(type.getRank());
  Sym acc = Sym::constant(1);
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    r[d] = acc;
    if (!type.isDynamicDim(d)) {
      acc = acc * Sym::constant(type.getDimSize(d));
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(map.getResult(d));
    if (!dim)
      return failure();
    acc = acc * loopSizes[dim.getPosition()];
  }
  return r;
}

/// Whether `v` is the f32 constant 0.0.
bool isZeroConstant(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  auto f = cst ? dyn_cast<FloatAttr>(cst.getValue()) : nullptr;
  return f && f.getValue().isZero();
}

/// Whether `op` fills `out` with 0.0: a linalg.fill, the linalg.generic
/// that linalg-generalize-named-ops makes of one (the zero as its input), or
/// that generic after lut-fuse-elementwise (no input; it yields the zero).
bool isZeroFill(Operation *op, Value out) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getOutputs()[0] == out && isZeroConstant(fill.getInputs()[0]);
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() > 1 || generic.getNumDpsInits() != 1 ||
      generic.getDpsInits()[0] != out)
    return false;
  Block &body = generic.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || !yield)
    return false;
  if (generic.getNumDpsInputs() == 1)
    return isZeroConstant(generic.getDpsInputs()[0]) && yield.getValues()[0] == body.getArgument(0);
  return isZeroConstant(yield.getValues()[0]);
}

/// The last op before `op` in its block that uses `value`, or null.
Operation *lastUserBefore(Operation *op, Value value) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode())
    if (llvm::is_contained(prev->getOperands(), value))
      return prev;
  return nullptr;
}

/// Whether `out` holds zeros when `op` runs: the last op before `op` to use
/// it is a zero fill of it, or a memref.copy into it from a buffer that holds
/// zeros then (bufferization copies a zero-filled tensor that CSE shared
/// between several products). Collects the fills and copies into `dead`
/// when they write `out` itself, since the library call overwrites it.
bool holdsZeros(Operation *op, Value out, SmallVectorImpl<Operation *> &dead, int depth = 0) {
  Operation *prev = lastUserBefore(op, out);
  if (!prev || depth > 4)
    return false;
  if (isZeroFill(prev, out)) {
    dead.push_back(prev);
    return true;
  }
  auto copy = dyn_cast<memref::CopyOp>(prev);
  if (copy && copy.getTarget() == out && holdsZeros(copy, copy.getSource(), dead, depth + 1)) {
    // Only the copy into `out` is dead; the source's fill may serve others.
    dead.resize(dead.size() - 1);
    dead.push_back(copy);
    return true;
  }
  return false;
}

/// Folds the loop dims `dims` (in loop order, outer to inner) into one Dim,
/// or fails if an operand does not lay them out as one row-major run.
FailureOr<Dim> foldDims(ArrayRef<unsigned> dims, ArrayRef<Sym> loopSizes,
                        ArrayRef<SmallVector<Sym>> loopStrides) {
  Dim d;
  // Outer to inner by stride (C's, then A's, then B's): the loop order may
  // have been interchanged, the memory order has not.
  SmallVector<unsigned> sorted(dims.begin(), dims.end());
  llvm::stable_sort(sorted, [&](unsigned x, unsigned y) {
    for (int o : {2, 0, 1})
      if (loopStrides[o][x] != loopStrides[o][y])
        return loopStrides[o][y] < loopStrides[o][x];
    return false;
  });
  // Size-1 dims never constrain anything.
  llvm::erase_if(sorted, [&](unsigned l) { return loopSizes[l].is(1); });
  if (sorted.empty())
    return d;
  unsigned inner = sorted.back();
  for (unsigned l : sorted)
    d.size = d.size * loopSizes[l];
  for (int o = 0; o < 3; ++o) {
    d.stride[o] = loopStrides[o][inner];
    Sym expect = d.stride[o] * loopSizes[inner];
    for (int i = static_cast<int>(sorted.size()) - 2; i >= 0; --i) {
      if (loopStrides[o][sorted[i]] != expect)
        return failure();
      expect = expect * loopSizes[sorted[i]];
    }
  }
  return d;
}

LogicalResult lowerContraction(linalg::LinalgOp op, ModuleOp module, bool &changed) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return success();
  Value a = op.getDpsInputs()[0], bm = op.getDpsInputs()[1], c = op.getDpsInits()[0];
  for (Value v : {a, bm, c}) {
    auto t = dyn_cast<MemRefType>(v.getType());
    if (!t || !t.getElementType().isF32())
      return success();
  }
  // The body must be exactly out + a * b (not, e.g., a widening or a max).
  Block &body = op->getRegion(0).front();
  if (body.getOperations().size() != 3)
    return success();
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  if (!mul || !add)
    return success();
  auto dims = linalg::inferContractionDims(op);
  if (failed(dims))
    return success();
  SmallVector<Operation *> dead;
  if (!holdsZeros(op, c, dead))
    return success();

  SmallVector<Sym> loopSizes;
  for (auto [l, s] : llvm::enumerate(op.getStaticLoopRanges()))
    loopSizes.push_back(ShapedType::isDynamic(s) ? Sym{1, {(unsigned)l}} : Sym::constant(s));
  SmallVector<SmallVector<Sym>> loopStrides(3, SmallVector<Sym>(loopSizes.size(), Sym::constant(0)));
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value operands[3] = {a, bm, c};
  for (int o = 0; o < 3; ++o) {
    auto strides = operandStrides(cast<MemRefType>(operands[o].getType()), maps[o], loopSizes);
    if (failed(strides))
      return success();
    for (auto [r, expr] : llvm::enumerate(maps[o].getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim)
        return success();
      loopStrides[o][dim.getPosition()] = (*strides)[r];
    }
  }
  auto m = foldDims(dims->m, loopSizes, loopStrides);
  auto n = foldDims(dims->n, loopSizes, loopStrides);
  auto k = foldDims(dims->k, loopSizes, loopStrides);
  if (failed(m) || failed(n) || failed(k))
    return success();
  // Batch dims: fold the innermost run that folds; loop over the others.
  SmallVector<unsigned> batch(dims->batch.begin(), dims->batch.end());
  llvm::sort(batch);
  SmallVector<unsigned> loopDims;
  Dim inner;
  while (!batch.empty()) {
    auto f = foldDims(batch, loopSizes, loopStrides);
    if (succeeded(f)) {
      inner = *f;
      break;
    }
    loopDims.push_back(batch.front());
    batch.erase(batch.begin());
  }

  // Layouts: A is M x K (or K x M), B is K x N (or N x K), C is M x N. A
  // leading dim must cover its row: checked numerically when static, and
  // symbolically (exactly the row) when dynamic.
  int32_t flags = 0;
  Sym lda, ldb, ldc;
  auto ld = [](const Dim &outer, const Dim &in, int o, const Sym &minimum) {
    return outer.size.is(1) ? (minimum.is(0) ? Sym::constant(1) : minimum) : outer.stride[o];
  };
  auto covers = [](const Sym &ld, const Sym &row) {
    return ld.isStatic() && row.isStatic() ? ld.c >= row.c : ld == row;
  };
  if (k->size.is(1) || k->stride[0].is(1)) {
    lda = ld(*m, *k, 0, k->size);
  } else if (m->size.is(1) || m->stride[0].is(1)) {
    flags |= kTransA;
    lda = ld(*k, *m, 0, m->size);
  } else {
    return success();
  }
  if (n->size.is(1) || n->stride[1].is(1)) {
    ldb = ld(*k, *n, 1, n->size);
  } else if (k->size.is(1) || k->stride[1].is(1)) {
    flags |= kTransB;
    ldb = ld(*n, *k, 1, k->size);
  } else {
    return success();
  }
  if (!n->size.is(1) && !n->stride[2].is(1))
    return success();
  ldc = ld(*m, *n, 2, n->size);
  if (!covers(lda, (flags & kTransA) ? m->size : k->size) ||
      !covers(ldb, (flags & kTransB) ? k->size : n->size) || !covers(ldc, n->size))
    return success(); // a layout lutd's checks would reject

  OpBuilder b(op);
  Location loc = op.getLoc();
  // Run-time loop sizes, for the dynamic ones.
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  auto value = [&](const Sym &s) -> Value {
    Value v = i64(b, loc, s.c);
    for (unsigned l : s.loops) {
      Value size = getValueOrCreateConstantIndexOp(b, loc, ranges[l].size);
      v = arith::MulIOp::create(b, loc, v, arith::IndexCastOp::create(b, loc, b.getI64Type(), size));
    }
    return v;
  };
  CView av = getCView(b, loc, a), bv = getCView(b, loc, bm), cv = getCView(b, loc, c);
  Value ptrs[3] = {av.ptr, bv.ptr, cv.ptr};
  // scf.for loops over the batch dims that did not fold.
  for (unsigned l : loopDims) {
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = getValueOrCreateConstantIndexOp(b, loc, ranges[l].size);
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, lb, ub, step);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value iv = arith::IndexCastOp::create(b, loc, b.getI64Type(), loop.getInductionVar());
    for (int o = 0; o < 3; ++o)
      if (!loopStrides[o][l].is(0))
        ptrs[o] = offsetPtr(b, loc, ptrs[o], b.getF32Type(),
                            arith::MulIOp::create(b, loc, iv, value(loopStrides[o][l])));
  }
  Type ptrT = LLVM::LLVMPointerType::get(b.getContext()), i64T = b.getI64Type(),
       i32T = b.getI32Type();
  SmallVector<Value> args = {value(inner.size),     value(m->size),    value(n->size),
                             value(k->size),        ptrs[0],           value(inner.stride[0]),
                             value(lda),            ptrs[1],           value(inner.stride[1]),
                             value(ldb),            ptrs[2],           value(inner.stride[2]),
                             value(ldc),            i32(b, loc, flags)};
  SmallVector<Type> argTypes = {i64T, i64T, i64T, i64T, ptrT, i64T, i64T,
                                ptrT, i64T, i64T, ptrT, i64T, i64T, i32T};
  func::FuncOp callee = getOrDeclare(module, loc, "lutd_batch_matmul_f32", argTypes, {i32T});
  if (!callee)
    return failure();
  func::CallOp::create(b, loc, callee, args);
  for (Operation *d : dead)
    d->erase();
  op->erase();
  changed = true;
  return success();
}

struct LutDenseCallsPass : public lut::impl::LutDenseCallsBase<LutDenseCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    bool changed = false;
    for (linalg::LinalgOp op : ops)
      if (failed(lowerContraction(op, module, changed)))
        return signalPassFailure();
  }
};

} // namespace
