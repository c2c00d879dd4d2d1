//===- consumer.cpp - lut-mlir used as a library ---------------------------===//
//
// Parses the MLIR file given as argument, runs lut-detect-mlp on every
// function and prints the result. Built against an installed lut-mlir by
// the install.consumer test.
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: lut-consumer FILE.mlir\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  registry.insert<lut::LutDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::tensor::TensorDialect>();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;

  mlir::PassManager pm(&context);
  pm.addNestedPass<mlir::func::FuncOp>(lut::createLutDetectMlp());
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
