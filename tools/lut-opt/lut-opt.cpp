//===- lut-opt.cpp - mlir-opt with the lut dialect and passes -------------===//
//
// Like mlir-opt: parses MLIR, runs a pass pipeline, prints the result. Every
// upstream dialect and pass is registered, plus the lut dialect, lut-mlir's
// passes and its pipelines (lut-ffn-pipeline, lut-to-llvm-pipeline, ...).
//
//===----------------------------------------------------------------------===//
#include "lut/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  lut::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  lut::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "lut-mlir optimizer driver: upstream MLIR passes plus the lut dialect's "
      "passes and lut-mlir's pipelines (see docs/Passes and docs/Architecture.md)\n",
      registry));
}
