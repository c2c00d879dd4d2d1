//===- InitAll.h - every lut dialect and pass, for host tools ---*- C++ -*-===//
//
// What lut-mlir registers with an MLIR host it is loaded into: LutPlugin.so
// (the mlir-opt plugin) and the C API (lutRegisterAllPasses) call these.
// Only lut's own dialect and passes: the upstream ones belong to the host,
// which has them already (registering them again from a second library is
// how two copies of a dialect end up in one process).
//
// A new lut pass library adds its registration call to registerAllPasses()
// and its target to the link libraries of LutPlugin (lib/Plugin) and LutCAPI
// (lib/CAPI). lut-opt and lutc register the same set.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_INITALL_H
#define LUT_INITALL_H

#include "lut/Codegen/Passes.h"
#include "lut/Conversion/Passes.h"
#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Dialect/Lut/Transforms/BufferizableOpInterfaceImpl.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
#include "lut/HLS/Passes.h"
#include "lut/Pipelines/Pipelines.h"
#include "mlir/IR/DialectRegistry.h"


namespace lut {

/// Inserts the lut dialect into `registry`, with its external interface
/// models (bufferization of the destination-style ops).
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<LutDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
}

/// Registers every lut pass and pipeline with the global pass registry (so
/// that pipelines and mlir-opt flags can name them): the dialect's passes,
/// the conversions, the code generation passes and the pipelines of
/// lut/Pipelines/Pipelines.h. Calling it again is harmless.
inline void registerAllPasses() {
  registerLutPasses();
  registerLutConversionPasses();
  registerLutCodegenPasses();
  registerLutHlsPasses();
  registerLutPipelines();
}

} // namespace lut

#endif // LUT_INITALL_H
