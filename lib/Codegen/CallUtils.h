//===- CallUtils.h - calling C kernels from memref code ---------*- C++ -*-===//
//
// Shared by lut-kernel-calls and lut-dense-calls: the pointer, sizes and
// strides of a memref as the scalars a C function takes, and private
// declarations of those functions.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_CODEGEN_CALLUTILS_H
#define LUT_LIB_CODEGEN_CALLUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace lut::codegen {

/// A memref seen from C: the address of its first element (aligned pointer
/// + offset, as `!llvm.ptr`) and its sizes and strides in elements (i64).
struct CView {
  mlir::Value ptr;
  llvm::SmallVector<mlir::Value> sizes, strides;
};

/// Extracts the C view of `memref` (a ranked memref with a strided layout)
/// with memref.extract_strided_metadata and
/// memref.extract_aligned_pointer_as_index.
CView getCView(mlir::OpBuilder &b, mlir::Location loc, mlir::Value memref);

/// `ptr` advanced by `elements` elements of `elementType` (i64 count).
mlir::Value offsetPtr(mlir::OpBuilder &b, mlir::Location loc, mlir::Value ptr,
                      mlir::Type elementType, mlir::Value elements);

/// A null `!llvm.ptr`.
mlir::Value nullPtr(mlir::OpBuilder &b, mlir::Location loc);

/// An i64 or i32 constant.
mlir::Value i64(mlir::OpBuilder &b, mlir::Location loc, int64_t v);
mlir::Value i32(mlir::OpBuilder &b, mlir::Location loc, int32_t v);

/// The private declaration `name : (argTypes) -> resultTypes` in `module`,
/// created on first use. Returns null (after emitting an error at `loc`)
/// if a symbol `name` exists with another type.
mlir::func::FuncOp getOrDeclare(mlir::ModuleOp module, mlir::Location loc, llvm::StringRef name,
                                mlir::TypeRange argTypes, mlir::TypeRange resultTypes);

/// Whether the innermost stride of `memref`'s type is statically 1.
bool hasUnitInnerStride(mlir::MemRefType type);

} // namespace lut::codegen

#endif
