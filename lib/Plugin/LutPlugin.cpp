//===- LutPlugin.cpp - the lut dialect and passes as an mlir-opt plugin ---===//
//
// LutPlugin.so, for upstream mlir-opt (and any tool built on MlirOptMain):
//
//   mlir-opt --load-dialect-plugin=LutPlugin.so --load-pass-plugin=LutPlugin.so
//
// The plugin links libMLIR.so, as mlir-opt does, so both share one MLIR. It
// registers lut's dialect and passes only (lut/InitAll.h); everything
// upstream is mlir-opt's own.
//
//===----------------------------------------------------------------------===//
#include "lut/InitAll.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "lut", LUT_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            lut::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "lut", LUT_VERSION_STRING,
          []() { lut::registerAllPasses(); }};
}
