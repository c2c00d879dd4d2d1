//===- KernelCalls.cpp - lut ops on memrefs as LutKernels calls -----------===//
//
// Implements `lut-kernel-calls` (Passes.td): each `lut.gather_sum`,
// `lut.lsh_encode`, `lut.thermometer` and `lut.lut` on memrefs becomes one
// call of the LutKernels C ABI
// (include/lut-c/Kernels.h) on the op's pointers, sizes and strides.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "CallUtils.h"
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace lut {
#define GEN_PASS_DEF_LUTKERNELCALLS
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut::codegen;

namespace {

/// `u8`, `u16` or `i32` for codes of `type`'s width; empty otherwise.
StringRef codeSuffix(Type type) {
  switch (type.getIntOrFloatBitWidth()) {
  case 8:
    return "u8";
  case 16:
    return "u16";
  case 32:
    return "i32";
  default:
    return "";
  }
}

/// `f32`, `f16`, `bf16` or `i8` for a table element type.
StringRef tableSuffix(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isInteger(8))
    return "i8";
  return "";
}

/// Checks that every operand is a memref with a unit innermost stride;
/// emits an error naming the first that is not.
LogicalResult checkOperands(Operation *op) {
  for (OpOperand &o : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(o.get().getType());
    if (!type)
      return op->emitError() << "lut-kernel-calls: operand #" << o.getOperandNumber()
                             << " is not a memref (run after bufferization)";
    if (!hasUnitInnerStride(type))
      return op->emitError() << "lut-kernel-calls: operand #" << o.getOperandNumber() << " ("
                             << type << ") is not contiguous in its innermost dimension";
  }
  return success();
}

/// Replaces `op` by a call of the LutKernels function `name` on `args`
/// (pointers stay `!llvm.ptr`, sizes and strides are i64), declaring it on
/// first use. Fails, with getOrDeclare's error, when `name` is already
/// declared with another type.
LogicalResult replaceWithCall(OpBuilder &b, Operation *op, ModuleOp module, StringRef name,
                              ValueRange args) {
  Type ptrT = LLVM::LLVMPointerType::get(b.getContext());
  SmallVector<Type> types;
  for (Value a : args)
    types.push_back(a.getType() == ptrT ? ptrT : b.getI64Type());
  func::FuncOp callee = getOrDeclare(module, op->getLoc(), name, types, {});
  if (!callee)
    return failure();
  func::CallOp::create(b, op->getLoc(), callee, args);
  op->erase();
  return success();
}

LogicalResult lowerGatherSum(lut::GatherSumOp op, ModuleOp module) {
  if (op->getNumResults() != 0)
    return success(); // tensor form: not ours
  if (failed(checkOperands(op)))
    return failure();
  auto codesType = cast<MemRefType>(op.getCodes().getType());
  auto tablesType = cast<MemRefType>(op.getTables().getType());
  StringRef cs = codeSuffix(codesType.getElementType());
  StringRef ts = tableSuffix(tablesType.getElementType());
  if (cs.empty())
    return op.emitError() << "lut-kernel-calls: codes of type " << codesType.getElementType()
                          << " have no kernel (supported: i8, i16, i32)";
  if (ts.empty())
    return op.emitError() << "lut-kernel-calls: tables of type " << tablesType.getElementType()
                          << " have no kernel";
  OpBuilder b(op);
  Location loc = op.getLoc();
  CView codes = getCView(b, loc, op.getCodes());
  CView tables = getCView(b, loc, op.getTables());
  CView y = getCView(b, loc, op.getInit());
  Value zero = i64(b, loc, 0);

  SmallVector<Value> args = {codes.ptr, codes.strides[0], tables.ptr, tables.sizes[0],
                             tables.sizes[1], tables.strides[0], tables.strides[1]};
  if (ts == "i8") {
    CView s = getCView(b, loc, op.getScales());
    args.push_back(s.ptr);
    // [M]: one scale per column (stride 0); [H, M]: per table.
    args.push_back(s.strides.size() == 2 ? s.strides[0] : zero);
  }
  if (Value w = op.getWeights()) {
    CView wv = getCView(b, loc, w);
    args.append({wv.ptr, wv.strides[0]});
  } else {
    args.append({nullPtr(b, loc), zero});
  }
  args.push_back(op.getBias() ? getCView(b, loc, op.getBias()).ptr : nullPtr(b, loc));
  args.append({y.ptr, y.strides[0], y.sizes[0], y.sizes[1]});

  std::string name = ("lutk_gather_sum_" + ts + "_" + cs).str();
  return replaceWithCall(b, op, module, name, args);
}

LogicalResult lowerLshEncode(lut::LshEncodeOp op, ModuleOp module) {
  if (op->getNumResults() != 0)
    return success();
  if (failed(checkOperands(op)))
    return failure();
  auto codesType = cast<MemRefType>(op.getInit().getType());
  StringRef cs = codeSuffix(codesType.getElementType());
  if (cs.empty())
    return op.emitError() << "lut-kernel-calls: codes of type " << codesType.getElementType()
                          << " have no kernel (supported: i8, i16, i32)";
  if (cs == "u8" && op.getBits() > 8)
    return op.emitError() << "lut-kernel-calls: " << op.getBits()
                          << " bits do not fit i8 codes";
  OpBuilder b(op);
  Location loc = op.getLoc();
  CView x = getCView(b, loc, op.getX());
  CView p = getCView(b, loc, op.getProjection());
  CView codes = getCView(b, loc, op.getInit());
  Value bias = op.getBias() ? getCView(b, loc, op.getBias()).ptr : nullPtr(b, loc);
  SmallVector<Value> args = {x.ptr,      x.strides[0],     p.ptr,
                             p.strides[0], bias,           x.sizes[1],
                             codes.sizes[1], i64(b, loc, op.getBits()), codes.ptr,
                             codes.strides[0], codes.sizes[0]};
  return replaceWithCall(b, op, module, ("lutk_lsh_encode_f32_" + cs).str(), args);
}

LogicalResult lowerThermometer(lut::ThermometerOp op, ModuleOp module) {
  if (op->getNumResults() != 0)
    return success();
  if (failed(checkOperands(op)))
    return failure();
  OpBuilder b(op);
  Location loc = op.getLoc();
  CView x = getCView(b, loc, op.getX());
  CView t = getCView(b, loc, op.getThresholds());
  CView bits = getCView(b, loc, op.getInit());
  SmallVector<Value> args = {x.ptr,     x.strides[0],    t.ptr,           t.strides[0],
                             t.sizes[0], t.sizes[1],     bits.ptr,        bits.strides[0],
                             x.sizes[0]};
  return replaceWithCall(b, op, module, "lutk_thermometer_f32", args);
}

LogicalResult lowerLut(lut::LutOp op, ModuleOp module) {
  if (op->getNumResults() != 0)
    return success();
  if (failed(checkOperands(op)))
    return failure();
  OpBuilder b(op);
  Location loc = op.getLoc();
  CView bits = getCView(b, loc, op.getBits());
  CView map = getCView(b, loc, op.getMapping());
  CView tables = getCView(b, loc, op.getTables());
  CView y = getCView(b, loc, op.getInit());
  SmallVector<Value> args = {bits.ptr,      bits.strides[0], bits.sizes[1], map.ptr,
                             map.strides[0], map.sizes[1],   tables.ptr,    tables.strides[0],
                             y.ptr,         y.strides[0],    y.sizes[0],    y.sizes[1]};
  bool wide = cast<MemRefType>(op.getMapping().getType()).getElementType().isInteger(64);
  return replaceWithCall(b, op, module, wide ? "lutk_lut_f32_m64" : "lutk_lut_f32_m32", args);
}

struct LutKernelCallsPass : public lut::impl::LutKernelCallsBase<LutKernelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<lut::GatherSumOp, lut::LshEncodeOp, lut::ThermometerOp, lut::LutOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult r = success();
      if (auto g = dyn_cast<lut::GatherSumOp>(op))
        r = lowerGatherSum(g, module);
      else if (auto e = dyn_cast<lut::LshEncodeOp>(op))
        r = lowerLshEncode(e, module);
      else if (auto t = dyn_cast<lut::ThermometerOp>(op))
        r = lowerThermometer(t, module);
      else
        r = lowerLut(cast<lut::LutOp>(op), module);
      if (failed(r))
        return signalPassFailure();
    }
  }
};

} // namespace
