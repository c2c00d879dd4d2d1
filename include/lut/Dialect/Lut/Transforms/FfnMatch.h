//===- FfnMatch.h - structural matching of feed-forward blocks --*- C++ -*-===//
//
// Recognizes a transformer feed-forward block, `Linear -> pointwise -> Linear`
// (or the gated `down(act(gate x) * up x)`), in IR on tensors as produced by
// the ONNX importer or written by hand:
//
//  * a Linear is a contraction (`linalg.matmul`, or a `linalg.generic` whose
//    body multiplies and accumulates over one reduction dim) of an activation
//    `x [..., K]` with a constant weight `W [K, N]`, optionally followed by an
//    elementwise add of a constant bias `b [N]`;
//  * the pointwise part is any DAG of all-parallel `linalg.generic` ops whose
//    non-constant inputs come from the first Linear(s);
//  * every intermediate value is used only inside the block.
//
// The match is on the shape of the computation, not on one exporter's op
// sequence: GELU (erf or tanh), ReLU, SiLU, GEGLU and SwiGLU all match.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_TRANSFORMS_FFNMATCH_H
#define LUT_DIALECT_LUT_TRANSFORMS_FFNMATCH_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SetVector.h"

#include <optional>
#include <string>

namespace lut {

/// One matched Linear: `out = x · weight (+ bias)`.
struct LinearMatch {
  mlir::Value input;       ///< x [..., K], f32
  mlir::Value weight;      ///< constant [K, N]
  mlir::Value bias;        ///< constant [N], or null
  mlir::Operation *contraction = nullptr;
  mlir::Operation *biasAdd = nullptr; ///< or null
  mlir::Value output;      ///< [..., N]
};

/// One matched FFN.
struct FfnMatch {
  mlir::Value input;                  ///< the FFN input x [..., d_model]
  llvm::SmallVector<LinearMatch, 2> up; ///< 1 Linear, or 2 for gated FFNs
  LinearMatch down;
  /// Every op of the block (contractions, bias adds, pointwise ops), in
  /// block order.
  llvm::SetVector<mlir::Operation *> ops;
  mlir::Value output;
  /// A summary of the pointwise part, from the math it contains: "gelu"
  /// (erf), "gelu_tanh", "tanh", "relu", "silu", "sigmoid", "geglu",
  /// "geglu_tanh", "swiglu", "reglu" or "other". Descriptive only: the
  /// conversion evaluates the body itself and does not rely on it.
  std::string activation;
  int64_t dModel = 0, dFF = 0, dOut = 0;
  /// Multiply-accumulates per token of the dense block (the Linears).
  int64_t macsPerToken() const {
    return dModel * dFF * (int64_t)up.size() + dFF * dOut;
  }
};

/// Matches a Linear whose contraction is `op`. Returns nullopt otherwise.
std::optional<LinearMatch> matchLinear(mlir::Operation *op);

/// Matches an FFN whose down projection's contraction is `downOp`.
std::optional<FfnMatch> matchFfn(mlir::Operation *downOp);

/// The FFN's source name from the ONNX node names (NameLocs) of its
/// Linears, e.g. `/blocks.0/mlp/fc1/MatMul` and `/blocks.0/mlp/fc2/MatMul`
/// give `blocks.0.mlp`. Empty if the locations carry no names.
std::string ffnSourceName(const FfnMatch &m);

} // namespace lut

#endif
