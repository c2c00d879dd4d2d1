//===- OutlineParallelLoops.cpp - scf.parallel onto the kernels' threads --===//
//
// Implements `lut-outline-parallel-loops` (Passes.td): each outermost
// scf.parallel worth it becomes a private function over a range of its
// iterations, called through lutk_parallel_for with a context holding the
// values the loop captured.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "CallUtils.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace lut {
#define GEN_PASS_DEF_LUTOUTLINEPARALLELLOOPS
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

constexpr StringLiteral kParallelFor = "lutk_parallel_for";

std::optional<int64_t> constantIndex(Value v) {
  if (auto c = getConstantIntValue(v))
    return *c;
  return std::nullopt;
}

/// Static trip count of one dimension, if its bounds and step are constants.
std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  auto l = constantIndex(lb), u = constantIndex(ub), s = constantIndex(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

/// Estimated scalar operations of one execution of `block`: each op counts
/// 1, nested scf.for/scf.parallel loops multiply their bodies by their
/// static trip counts (an unknown count counts as 1024).
int64_t estimateWork(Block &block) {
  int64_t work = 0;
  for (Operation &op : block) {
    int64_t trips = 1;
    Block *body = nullptr;
    if (auto f = dyn_cast<scf::ForOp>(op)) {
      trips = tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep()).value_or(1024);
      body = f.getBody();
    } else if (auto p = dyn_cast<scf::ParallelOp>(op)) {
      for (unsigned d = 0; d < p.getNumLoops(); ++d)
        trips *= tripCount(p.getLowerBound()[d], p.getUpperBound()[d], p.getStep()[d])
                     .value_or(1024);
      body = p.getBody();
    }
    int64_t inner = body ? estimateWork(*body) : 1;
    for (Region &r : op.getRegions())
      if (!body)
        for (Block &b : r)
          inner += estimateWork(b);
    work += trips * inner;
    if (work > (int64_t(1) << 50))
      return int64_t(1) << 50;
  }
  return work;
}

/// Whether `v` can be recreated inside the outlined function instead of
/// being passed: an operand-free, side-effect-free op (constants,
/// memref.get_global).
bool isRematerializable(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->getNumOperands() == 0 && def->getNumRegions() == 0 &&
         isMemoryEffectFree(def);
}

/// ceildiv(ub - lb, step) as an index value (0 if ub <= lb).
Value emitTripCount(OpBuilder &b, Location loc, Value lb, Value ub, Value step) {
  if (auto t = tripCount(lb, ub, step))
    return arith::ConstantIndexOp::create(b, loc, *t);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value span = arith::SubIOp::create(b, loc, ub, lb);
  span = arith::MaxSIOp::create(b, loc, span, zero);
  return arith::CeilDivSIOp::create(b, loc, span, step);
}

class OutlineParallelLoops
    : public lut::impl::LutOutlineParallelLoopsBase<OutlineParallelLoops> {
public:
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    for (auto f : module.getOps<func::FuncOp>()) {
      if (f.isDeclaration())
        continue;
      // Outermost loops only: those directly in a function's blocks.
      for (Block &block : f.getBody())
        for (auto p : block.getOps<scf::ParallelOp>())
          loops.push_back(p);
    }
    LLVMTypeConverter converter(&getContext());
    SymbolTable symbols(module);
    for (scf::ParallelOp p : loops)
      if (failed(outline(p, converter, symbols)))
        return signalPassFailure();
  }

private:
  LogicalResult outline(scf::ParallelOp par, const LLVMTypeConverter &converter,
                        SymbolTable &symbols);
};

LogicalResult OutlineParallelLoops::outline(scf::ParallelOp par,
                                            const LLVMTypeConverter &converter,
                                            SymbolTable &symbols) {
  if (par.getNumResults() != 0)
    return success(); // reductions through scf.reduce values: left as they are
  int64_t iterations = 1;
  for (unsigned d = 0; d < par.getNumLoops(); ++d)
    iterations *= tripCount(par.getLowerBound()[d], par.getUpperBound()[d], par.getStep()[d])
                      .value_or(1024);
  if (iterations * estimateWork(*par.getBody()) < minWork)
    return success();

  // Which dimensions are split: all of them when the body holds loops (the
  // inner loops are the work); otherwise all but the innermost, which stays
  // a loop in each item so that LLVM vectorizes it (a 1-d loop is split
  // into contiguous ranges).
  bool bodyHasLoops = false;
  par.getBody()->walk([&](Operation *op) {
    if (isa<scf::ForOp, scf::ParallelOp, scf::WhileOp>(op))
      bodyHasLoops = true;
  });
  unsigned numLoops = par.getNumLoops();
  unsigned numSplit = bodyHasLoops || numLoops == 1 ? numLoops : numLoops - 1;

  // The values the loop uses from above, and its bounds.
  SetVector<Value> used;
  getUsedValuesDefinedAbove(par.getRegion(), used);
  for (Value v : par->getOperands())
    used.insert(v);
  SmallVector<Value> passed;
  SmallVector<Type> slotTypes;
  SmallVector<Value> remat;
  for (Value v : used) {
    if (isRematerializable(v)) {
      remat.push_back(v);
      continue;
    }
    Type t = v.getType();
    Type slot;
    if (auto m = dyn_cast<MemRefType>(t))
      slot = converter.convertType(m);
    else if (t.isIndex())
      slot = IntegerType::get(t.getContext(), 64);
    else if (isa<IntegerType, FloatType>(t))
      slot = t;
    if (!slot)
      return success(); // a value the context cannot carry: keep the loop
    passed.push_back(v);
    slotTypes.push_back(slot);
  }

  MLIRContext *ctx = par.getContext();
  Location loc = par.getLoc();
  auto ptrTy = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  auto ctxTy = LLVM::LLVMStructType::getLiteral(ctx, slotTypes);
  auto fnTy = FunctionType::get(ctx, {ptrTy, i64, i64}, {});

  auto callee = lut::codegen::getOrDeclare(par->getParentOfType<ModuleOp>(), loc, kParallelFor,
                                           {i64, fnTy, ptrTy}, {});
  if (!callee)
    return failure();

  // The outlined function: fn(ctx, begin, end) runs the split iterations
  // [begin, end).
  auto parent = par->getParentOfType<func::FuncOp>();
  OpBuilder mb(parent);
  auto fn = func::FuncOp::create(mb, loc, (parent.getName() + "_par").str(), fnTy);
  fn.setPrivate();
  // Internal in the object: a model exports only its ABI entry points.
  fn->setAttr("llvm.linkage", LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
  symbols.insert(fn); // renames on a clash
  Block *entry = fn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  IRMapping map;
  for (Value v : remat)
    b.clone(*v.getDefiningOp(), map);
  for (auto [i, v] : llvm::enumerate(passed)) {
    Value addr = LLVM::GEPOp::create(b, loc, ptrTy, ctxTy, entry->getArgument(0),
                                     ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
    Value slot = LLVM::LoadOp::create(b, loc, slotTypes[i], addr);
    Value val;
    if (isa<MemRefType>(v.getType()))
      val = UnrealizedConversionCastOp::create(b, loc, v.getType(), slot).getResult(0);
    else if (v.getType().isIndex())
      val = arith::IndexCastOp::create(b, loc, v.getType(), slot);
    else
      val = slot;
    map.map(v, val);
  }
  auto mapped = [&](ValueRange vs) {
    SmallVector<Value> r;
    for (Value v : vs)
      r.push_back(map.lookupOrDefault(v));
    return r;
  };
  SmallVector<Value> lbs = mapped(par.getLowerBound()), ubs = mapped(par.getUpperBound()),
                     steps = mapped(par.getStep());
  // Trip counts of the split dimensions but the first (the delinearization
  // needs no bound on the outermost).
  SmallVector<Value> counts(numSplit);
  for (unsigned d = 1; d < numSplit; ++d)
    counts[d] = emitTripCount(b, loc, lbs[d], ubs[d], steps[d]);
  Value begin = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry->getArgument(1));
  Value end = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry->getArgument(2));
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto items = scf::ForOp::create(b, loc, begin, end, one);
  {
    OpBuilder ib = OpBuilder::atBlockBegin(items.getBody());
    // Delinearize the item into the split induction variables (row-major).
    Value rest = items.getInductionVar();
    SmallVector<Value> ivs(numLoops);
    for (int d = int(numSplit) - 1; d >= 0; --d) {
      Value pos = d == 0 ? rest : arith::RemUIOp::create(ib, loc, rest, counts[d]).getResult();
      if (d > 0)
        rest = arith::DivUIOp::create(ib, loc, rest, counts[d]);
      Value scaled = ib.createOrFold<arith::MulIOp>(loc, pos, steps[d]);
      ivs[d] = ib.createOrFold<arith::AddIOp>(loc, lbs[d], scaled);
    }
    auto cloneBody = [&](OpBuilder &bb) {
      for (unsigned d = 0; d < numLoops; ++d)
        map.map(par.getInductionVars()[d], ivs[d]);
      for (Operation &op : par.getBody()->without_terminator())
        bb.clone(op, map);
    };
    if (numSplit < numLoops) {
      unsigned d = numLoops - 1;
      auto inner = scf::ForOp::create(ib, loc, lbs[d], ubs[d], steps[d]);
      ivs[d] = inner.getInductionVar();
      OpBuilder bb = OpBuilder::atBlockBegin(inner.getBody());
      cloneBody(bb);
    } else {
      OpBuilder bb(items.getBody()->getTerminator());
      cloneBody(bb);
    }
  }
  func::ReturnOp::create(b, loc);

  // The call site: the context on the stack, the split iteration count.
  b.setInsertionPoint(par);
  Value ctxPtr;
  if (passed.empty()) {
    ctxPtr = lut::codegen::nullPtr(b, loc);
  } else {
    ctxPtr = LLVM::AllocaOp::create(b, loc, ptrTy, ctxTy, lut::codegen::i64(b, loc, 1));
    for (auto [i, v] : llvm::enumerate(passed)) {
      Value val = v;
      if (isa<MemRefType>(v.getType()))
        val = UnrealizedConversionCastOp::create(b, loc, slotTypes[i], v).getResult(0);
      else if (v.getType().isIndex())
        val = arith::IndexCastOp::create(b, loc, i64, v);
      Value addr = LLVM::GEPOp::create(b, loc, ptrTy, ctxTy, ctxPtr,
                                       ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
      LLVM::StoreOp::create(b, loc, val, addr);
    }
  }
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (unsigned d = 0; d < numSplit; ++d)
    total = b.createOrFold<arith::MulIOp>(
        loc, total,
        emitTripCount(b, loc, par.getLowerBound()[d], par.getUpperBound()[d], par.getStep()[d]));
  Value total64 = b.createOrFold<arith::IndexCastOp>(loc, i64, total);
  Value fnPtr = func::ConstantOp::create(b, loc, fnTy, fn.getSymName());
  func::CallOp::create(b, loc, callee, ValueRange{total64, fnPtr, ctxPtr});
  par.erase();
  return success();
}

} // namespace
