//===- Project.h - pieces of the HLS project folder (private) ---*- C++ -*-===//
#ifndef LUT_LIB_HLS_PROJECT_H
#define LUT_LIB_HLS_PROJECT_H

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

#include <string>
#include <vector>

namespace lut::hls {

/// One argument of a top function, as the testbench sees it.
struct Arg {
  std::string name, ctype;
  int64_t elems = 1;
  bool output = false, integer = false;
  int64_t codeRange = 0; ///< synthetic integer inputs in [0, codeRange)
};

/// The arguments of `f` (memrefs after out-parameters), inputs and outputs
/// told apart by lut.hls_results.
std::vector<Arg> argsOf(mlir::func::FuncOp f);

/// The functions reachable from `f` through calls, `f` included.
llvm::SmallVector<mlir::func::FuncOp> reachable(mlir::func::FuncOp f,
                                                 mlir::SymbolTable &symbols);

/// Writes tb_<f>.cpp (see writeHLSProject).
void writeTestbench(llvm::raw_ostream &os, mlir::func::FuncOp f, const std::vector<Arg> &args);

} // namespace lut::hls

#endif
