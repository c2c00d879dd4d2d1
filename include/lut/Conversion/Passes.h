//===- Passes.h - lut conversion passes -------------------------*- C++ -*-===//
//
// Conversion passes out of the `lut` dialect; each is documented in
// Passes.td and docs/Passes/LutConversionPasses.md.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_CONVERSION_PASSES_H
#define LUT_CONVERSION_PASSES_H

#include "lut/Conversion/LutToLinalg/LutToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace lut {

#define GEN_PASS_DECL
#include "lut/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lut/Conversion/Passes.h.inc"

} // namespace lut

#endif
