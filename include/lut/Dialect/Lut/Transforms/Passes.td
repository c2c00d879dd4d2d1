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

def LutDetectMlp : Pass<"lut-detect-mlp", "::mlir::func::FuncOp"> {
  let summary = "Wraps every feed-forward block in a lut.mlp region";
  let description = [{
    Finds every transformer feed-forward (MLP/FFN) block and wraps it in a
    `lut.mlp` op named after its source (the common prefix of its Linears'
    ONNX node names, e.g. `blocks.3.mlp`).

    An FFN is `Linear -> pointwise activation -> Linear`, or the gated form
    `down(act(gate x) * up x)` (SwiGLU, GEGLU), where each Linear is a
    contraction of the activation `x [..., d_model]` (any batch rank) with a
    constant f32 weight, optionally followed by a constant bias add
    (ONNX MatMul+Add or Gemm). The pointwise part may be any DAG of
    elementwise `linalg.generic` ops (GELU in erf or tanh form, ReLU, SiLU,
    ...). The match is on the shape of the computation, so pre-norm and
    post-norm blocks, LayerNorm and RMSNorm inputs, and biasless Linears all
    match; attention (whose second matmul has no constant weight) does not.
    Every intermediate value must be used only inside the block.

    The `lut.mlp` gets the attributes `activation` (gelu, gelu_tanh, relu,
    silu, geglu, swiglu, reglu or other), `d_model`, `d_ff` and `d_out`
    (element counts), and the pass emits one remark per FFN with its name,
    sizes, activation and multiply-accumulates (MACs) per token.

    Errors: none; IR that is not an FFN is left untouched. Names that would
    repeat get a `#<n>` suffix; FFNs without named locations are named
    `mlp.<n>` in order.
  }];
  let dependentDialects = ["::lut::LutDialect"];
}

#endif // LUT_PASSES_TD
