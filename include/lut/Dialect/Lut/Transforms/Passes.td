//===- Passes.td - lut dialect passes ----------------------*- tablegen -*-===//
#ifndef LUT_PASSES_TD
#define LUT_PASSES_TD

include "mlir/Pass/PassBase.td"

def LutLower : Pass<"lut-lower", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of lut ops to linalg, tensor and arith";
  let description = [{
    Rewrites every `lut` op into upstream dialects on tensors, so that the
    standard bufferization and LLVM lowering apply:

    * `lut.mlp` is replaced by its body (the dense FFN);
    * `lut.lsh_encode` becomes `linalg.matmul` (+ bias) and a bit-packing
      `linalg.generic`;
    * `lut.gather_sum` becomes a `linalg.generic` reducing over tables, whose
      body reads `T[h, codes[n, h], m]` with `tensor.extract` and
      dequantizes `i8`, `f16` and `bf16` entries to f32.

    This is the semantic reference: tiled and packed lowerings must agree
    with it. The pass fails (and reports the op) only if a pattern cannot
    apply, which the op verifiers rule out.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect"
  ];
}

#endif // LUT_PASSES_TD
