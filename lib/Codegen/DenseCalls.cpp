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

/// One group of loop dimensions (M, N, K or one batch dim) folded into a
/// single dimension: its size and, per operand (A, B, C), its stride in
/// elements (0 when the operand does not use it).
struct Dim {
  int64_t size = 1;
  int64_t stride[3] = {0, 0, 0};
};

/// Static strides of `type` (failure for a dynamic or non-strided layout).
FailureOr<SmallVector<int64_t>> staticStrides(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return failure();
  for (int64_t s : strides)
    if (ShapedType::isDynamic(s))
      return failure();
  return strides;
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
FailureOr<Dim> foldDims(ArrayRef<unsigned> dims, ArrayRef<int64_t> loopSizes,
                        ArrayRef<SmallVector<int64_t>> loopStrides) {
  Dim d;
  // Outer to inner by stride (C's, then A's, then B's): the loop order may
  // have been interchanged, the memory order has not.
  SmallVector<unsigned> sorted(dims.begin(), dims.end());
  llvm::sort(sorted, [&](unsigned x, unsigned y) {
    auto key = [&](unsigned l) {
      return std::make_tuple(loopStrides[2][l], loopStrides[0][l], loopStrides[1][l]);
    };
    return key(x) > key(y);
  });
  // Size-1 dims never constrain anything.
  llvm::erase_if(sorted, [&](unsigned l) { return loopSizes[l] == 1; });
  if (sorted.empty())
    return d;
  unsigned inner = sorted.back();
  d.size = 1;
  for (unsigned l : sorted)
    d.size *= loopSizes[l];
  for (int o = 0; o < 3; ++o) {
    d.stride[o] = loopStrides[o][inner];
    int64_t expect = d.stride[o] * loopSizes[inner];
    for (int i = static_cast<int>(sorted.size()) - 2; i >= 0; --i) {
      if (loopStrides[o][sorted[i]] != expect)
        return failure();
      expect *= loopSizes[sorted[i]];
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
    if (!t || !t.getElementType().isF32() || !t.hasStaticShape())
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

  SmallVector<int64_t> loopSizes = op.getStaticLoopRanges();
  SmallVector<SmallVector<int64_t>> loopStrides(3, SmallVector<int64_t>(loopSizes.size(), 0));
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value operands[3] = {a, bm, c};
  for (int o = 0; o < 3; ++o) {
    auto strides = staticStrides(cast<MemRefType>(operands[o].getType()));
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

  // Layouts: A is M x K (or K x M), B is K x N (or N x K), C is M x N.
  int32_t flags = 0;
  int64_t lda, ldb, ldc;
  auto ld = [](const Dim &outer, const Dim &in, int o, int64_t minimum) {
    return outer.size == 1 ? std::max<int64_t>(minimum, 1) : outer.stride[o];
  };
  if (k->size == 1 || k->stride[0] == 1) {
    lda = ld(*m, *k, 0, k->size);
  } else if (m->size == 1 || m->stride[0] == 1) {
    flags |= kTransA;
    lda = ld(*k, *m, 0, m->size);
  } else {
    return success();
  }
  if (n->size == 1 || n->stride[1] == 1) {
    ldb = ld(*k, *n, 1, n->size);
  } else if (k->size == 1 || k->stride[1] == 1) {
    flags |= kTransB;
    ldb = ld(*n, *k, 1, k->size);
  } else {
    return success();
  }
  if (n->size != 1 && n->stride[2] != 1)
    return success();
  ldc = ld(*m, *n, 2, n->size);
  if (lda < ((flags & kTransA) ? m->size : k->size) || ldb < ((flags & kTransB) ? k->size : n->size) ||
      ldc < n->size)
    return success(); // a layout lutd's checks would reject

  OpBuilder b(op);
  Location loc = op.getLoc();
  CView av = getCView(b, loc, a), bv = getCView(b, loc, bm), cv = getCView(b, loc, c);
  Value ptrs[3] = {av.ptr, bv.ptr, cv.ptr};
  // scf.for loops over the batch dims that did not fold.
  for (unsigned l : loopDims) {
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = arith::ConstantIndexOp::create(b, loc, loopSizes[l]);
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, lb, ub, step);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value iv = arith::IndexCastOp::create(b, loc, b.getI64Type(), loop.getInductionVar());
    for (int o = 0; o < 3; ++o)
      if (int64_t s = loopStrides[o][l])
        ptrs[o] = offsetPtr(b, loc, ptrs[o], b.getF32Type(),
                            arith::MulIOp::create(b, loc, iv, i64(b, loc, s)));
  }
  Type ptrT = LLVM::LLVMPointerType::get(b.getContext()), i64T = b.getI64Type(),
       i32T = b.getI32Type();
  SmallVector<Value> args = {i64(b, loc, inner.size), i64(b, loc, m->size), i64(b, loc, n->size),
                             i64(b, loc, k->size),    ptrs[0], i64(b, loc, inner.stride[0]),
                             i64(b, loc, lda),        ptrs[1], i64(b, loc, inner.stride[1]),
                             i64(b, loc, ldb),        ptrs[2], i64(b, loc, inner.stride[2]),
                             i64(b, loc, ldc),        i32(b, loc, flags)};
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
