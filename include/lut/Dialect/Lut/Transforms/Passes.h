//===- Passes.h - lut dialect passes ----------------------------*- C++ -*-===//
//
// Passes of the `lut` dialect; each is documented in Passes.td and
// docs/Passes/LutPasses.md.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_TRANSFORMS_PASSES_H
#define LUT_DIALECT_LUT_TRANSFORMS_PASSES_H

#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lut {

/// The FFN replacement method of `lut-convert-mlp` (`method=`).
enum class LutMethod {
  /// LookupFFN (Zeng et al., ICML 2024): sign-bit hashes and summed tables.
  lsh,
};

/// The hyperplanes of the LookupFFN hash (`projection=`).
enum class LutProjection {
  /// The FFN's own hidden units, ranked by importance.
  hidden,
  /// Gaussian hyperplanes through the calibration mean.
  random,
};

/// The hyperplane offsets (`threshold=`).
enum class LutThreshold {
  /// Two-means split of max(z, 0) on the calibration rows.
  split,
  /// The sign of the pre-activation.
  zero,
};

/// The element type of packed tables (`lut-pack-tables{table-type=}`).
enum class LutTableType { f32, f16, bf16, i8 };

#define GEN_PASS_DECL
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"

} // namespace lut

#endif
