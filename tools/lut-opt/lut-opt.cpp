//===- lut-opt.cpp - mlir-opt with the lut dialect and passes -------------===//
//
// Like mlir-opt: parses MLIR, runs a pass pipeline, prints the result. Every
// upstream dialect and pass, and every lut dialect pass, is registered.
//
//===----------------------------------------------------------------------===//
#include "lut/Conversion/Passes.h"
#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  lut::registerLutPasses();
  lut::registerLutConversionPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<lut::LutDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "lut-mlir optimizer driver: upstream MLIR passes plus the "
                  "lut dialect's passes (see docs/Passes/LutPasses.md)\n",
      registry));
}
