//===- Emitter.h - the HLS C++ emitter's state (private) --------*- C++ -*-===//
//
// Shared by EmitCpp.cpp (functions, loops, arith/math/memref) and
// EmitLutOps.cpp (the loop forms of lut.gather_sum and lut.lsh_encode).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_HLS_EMITTER_H
#define LUT_LIB_HLS_EMITTER_H

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Support/IndentedOstream.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace lut::hls {

/// The unsigned C type of a signed one (`int8_t` -> `uint8_t`; `int` ->
/// `unsigned`).
inline std::string unsignedOf(llvm::StringRef signedType) {
  return signedType.starts_with("int") && signedType != "int" ? ("u" + signedType).str()
                                                               : "unsigned";
}

/// The C type of a scalar MLIR type (f32 `float`, f64 `double`, i1 `bool`,
/// i8..i64 `int8_t`..`int64_t`, index `int`), or "" for any other.
std::string cTypeName(mlir::Type t);

/// Row-major strides of `shape` (a dim of 0 counts as 1, so that an empty
/// memref still has static strides; nothing reads it).
inline llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * std::max<int64_t>(1, shape[i + 1]);
  return strides;
}

/// Emits one module at the HLS level as C++ (docs/HLS.md).
class Emitter {
public:
  Emitter(mlir::ModuleOp module, llvm::raw_ostream &os);

  /// The prelude, the globals shared by several functions, and every
  /// function; `header` is `#include`d first when not empty, else each top
  /// function is also declared in the file.
  mlir::LogicalResult emitModule(llvm::StringRef header);
  /// The declarations of the top functions (the header's body).
  mlir::LogicalResult emitTopDeclarations();

  // --- used by the lut op emitters ---
  /// The C type of a scalar type; null after an error on `loc`.
  std::string cType(mlir::Type t, mlir::Location loc);
  /// The C expression of a scalar value (a name or a literal).
  std::string expr(mlir::Value v);
  /// An element of the memref `m` at per-dim index expressions `idx`.
  std::string access(mlir::Value m, llvm::ArrayRef<std::string> idx);
  /// A fresh identifier with `prefix`.
  std::string fresh(llvm::StringRef prefix);
  /// Writes `#pragma HLS <text>`.
  void pragma(const llvm::Twine &text);
  /// Opens `for (int var = lb; var < ub; ++var) { // label` (`var += step`
  /// for a step other than 1), indented, with `#pragma HLS pragmaText` first
  /// unless it is empty.
  void openFor(llvm::StringRef var, const llvm::Twine &ub, llvm::StringRef label,
               const llvm::Twine &pragmaText = "", int64_t step = 1, int64_t lb = 0);
  /// Closes `n` blocks opened by openFor.
  void closeFor(int n = 1);
  /// `ctype name[size]`, completely partitioned, filled by a loop over
  /// `var` pipelined at II=1 with `name[var] = rhs`: a row in registers.
  void registerRow(llvm::StringRef ctype, llvm::StringRef name, int64_t size,
                   llvm::StringRef var, llvm::StringRef label, const llvm::Twine &rhs);

  mlir::raw_indented_ostream os;
  /// Index of the lut op being emitted in its kind (names of its loops).
  int lutOpIndex = 0;

private:
  /// A memref value: a root array (argument, local buffer or global) and
  /// the offset and strides of this view into it, in elements.
  struct View {
    std::string root;
    std::string offset; ///< C expression; "0" for the root itself
    llvm::SmallVector<int64_t> strides;
    bool multiDim = false; ///< root declared `T r[d0][d1]...`
    llvm::SmallVector<int64_t> shape;
  };

  /// A non-top function, or a top's `<name>_impl` body and its wrapper
  /// `<name>` with the INTERFACE pragmas.
  mlir::LogicalResult emitFunction(mlir::func::FuncOp f);
  /// `void <name><suffix>(params)`; registers the parameters' names.
  mlir::LogicalResult emitSignature(mlir::func::FuncOp f, llvm::StringRef suffix);
  mlir::LogicalResult emitBlock(mlir::Block &block);
  mlir::LogicalResult emitOp(mlir::Operation *op);
  mlir::LogicalResult emitArith(mlir::Operation *op, bool &handled);
  mlir::LogicalResult emitMath(mlir::Operation *op, bool &handled);
  mlir::LogicalResult emitMemRef(mlir::Operation *op, bool &handled);
  mlir::LogicalResult emitLoopOrBranch(mlir::Operation *op, bool &handled);
  mlir::LogicalResult emitGlobal(mlir::memref::GlobalOp g, bool local);
  mlir::LogicalResult emitGatherSum(GatherSumOp op);
  mlir::LogicalResult emitLshEncode(LshEncodeOp op);
  void loopPragmas(mlir::Operation *loop);
  /// Declares `T name = rhs;` for `v`.
  void assign(mlir::Value v, const std::string &rhs);
  /// The C expression of `e` over the given dim and symbol expressions.
  std::string affineExpr(mlir::AffineExpr e, llvm::ArrayRef<std::string> dims,
                         llvm::ArrayRef<std::string> syms);
  llvm::SmallVector<std::string> affineResults(mlir::AffineMap map, mlir::ValueRange operands);
  mlir::FailureOr<View> viewOf(mlir::Value m, mlir::Location loc);
  /// A C literal of `attr` (a scalar integer or float).
  std::string literal(mlir::TypedAttr attr);
  /// The elements of a global's initial value, comma-separated.
  mlir::LogicalResult writeElements(mlir::memref::GlobalOp g);

  mlir::ModuleOp module;
  mlir::SymbolTable symbols;
  llvm::DenseMap<mlir::Value, std::string> names;
  llvm::DenseMap<mlir::Value, View> views;
  /// Globals used by exactly one function: emitted inside it.
  llvm::StringMap<mlir::func::FuncOp> localGlobals;
  bool inDataflow = false;
  /// Set when cType reported an error: the emission fails at its end.
  bool typeError = false;
  int counter = 0;
};

} // namespace lut::hls

#endif
