//===- CallUtils.cpp - calling C kernels from memref code -----------------===//
#include "CallUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace lut::codegen {

Value i64(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}

Value i32(OpBuilder &b, Location loc, int32_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}

Value nullPtr(OpBuilder &b, Location loc) {
  return LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()));
}

static Value toI64(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

CView getCView(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto md = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value addr = LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()),
                                        toI64(b, loc, base));
  CView v;
  v.ptr = offsetPtr(b, loc, addr, type.getElementType(), toI64(b, loc, md.getOffset()));
  for (Value s : md.getSizes())
    v.sizes.push_back(toI64(b, loc, s));
  for (Value s : md.getStrides())
    v.strides.push_back(toI64(b, loc, s));
  return v;
}

Value offsetPtr(OpBuilder &b, Location loc, Value ptr, Type elementType, Value elements) {
  return LLVM::GEPOp::create(b, loc, ptr.getType(), elementType, ptr, ValueRange{elements});
}

func::FuncOp getOrDeclare(ModuleOp module, Location loc, StringRef name, TypeRange argTypes,
                          TypeRange resultTypes) {
  auto type = FunctionType::get(module.getContext(), argTypes, resultTypes);
  if (auto existing = module.lookupSymbol<func::FuncOp>(name)) {
    if (existing.getFunctionType() != type) {
      emitError(loc) << "'" << name << "' is already declared with type "
                     << existing.getFunctionType() << ", expected " << type;
      return nullptr;
    }
    return existing;
  }
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto f = func::FuncOp::create(b, loc, name, type);
  f.setPrivate();
  return f;
}

bool hasUnitInnerStride(MemRefType type) {
  if (type.getRank() == 0)
    return true;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

} // namespace lut::codegen
