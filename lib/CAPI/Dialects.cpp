//===- Dialects.cpp - C API of the lut dialect and passes -----------------===//
//
// Implements include/lut-c/Dialects.h.
//
//===----------------------------------------------------------------------===//
#include "lut-c/Dialects.h"

#include "lut/InitAll.h"
#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Lut, lut, lut::LutDialect)

void lutRegisterAllPasses(void) { lut::registerAllPasses(); }
