//===- Passes.td - lut conversion passes -------------------*- tablegen -*-===//
#ifndef LUT_CONVERSION_PASSES_TD
#define LUT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLutToLinalgPass : Pass<"convert-lut-to-linalg"> {
  let summary = "Lowers every lut op to linalg, tensor and arith on tensors";
  let description = [{
    Rewrites every op of the `lut` dialect into upstream dialects on
    tensors, so that one-shot bufferization and the standard lowering to
    LLVM apply. This lowering is the semantic reference of the ops: tiled
    or packed lowerings must compute the same numbers. The rewrites are the
    conversion patterns of `populateLutToLinalgConversionPatterns`
    (lut/Conversion/LutToLinalg/LutToLinalg.h), applied as a partial
    conversion in which the whole `lut` dialect is illegal.

    * `lut.mlp` is replaced by its body, the dense FFN, with the block
      arguments replaced by the operands.
    * `lut.lsh_encode` (the LookupFFN hash: Zeng et al., ICML 2024,
      arXiv:2403.07221) with `x: N x D`, `P: D x (H*k)`, optional bias
      `b: H*k`, all f32, becomes a `linalg.matmul` `z = x · P` into a
      zero-filled `N x (H*k)` f32 tensor, and a `linalg.generic` with loops
      `(n, h, j)` (`j < k` a reduction) over `z` viewed as `N x H x k`
      (`tensor.expand_shape`, and `b` as `H x k`) that computes
      `codes[n, h] |= (z[n, h, j] + b[h, j] > 0) << j` into a zero-filled
      `N x H` i32 tensor. Codes are in `[0, 2^k)`.
    * `lut.gather_sum` (the table read of LookupFFN, and the aggregation
      step of MADDNESS: Blalock and Guttag, ICML 2021) with `codes: N x H`
      (any integer width, read as signed), tables `T: H x R x M`, and
      optional `w: N x H`, `b: M`, `s: H x M` (f32), becomes a
      `linalg.generic` with loops `(n, h, m)`, the reduction over `h` in
      the middle so that the inner loop walks one table row and one output
      row contiguously. Its body reads `T[h, codes[n, h], m]` with
      `tensor.extract`, converts `i8` entries with `arith.sitofp` and `f16`
      or `bf16` entries with `arith.extf` to f32, multiplies by `s[h, m]`
      (i8 tables) and `w[n, h]` when present, and adds into an `N x M` f32
      accumulator initialized with `b` broadcast over rows (a
      `linalg.generic`) or with zeros (`linalg.fill`). The sum is in f32.
    * `lut.thermometer` (the input encoding of weightless networks: DWN,
      Bacellar et al., ICML 2024) with `x: N x D` and thresholds `D x B`
      becomes one `linalg.generic` over `(n, d, b)` into the `N x (D*B)`
      destination viewed as `N x D x B`: `x[n, d] > t[d, b]` (`arith.cmpf
      ogt`, widened with `arith.extui` for `i8` bits).
    * `lut.lut` (a weightless LUT layer) with `bits: N x I`, `mapping: L x
      n` and `tables: L x 2^n` becomes a `linalg.generic` over `(n, l, j)`
      (`j < n` a reduction) that ORs `(bits[n, mapping[l, j]] != 0) << j`
      into an `N x L` i32 address (the bit read with `tensor.extract`), then
      a `linalg.generic` over `(n, l)` that reads `tables[l, addr]`.

    Units: none; all sizes are element counts, codes are row indices into
    the tables.

    Errors: the pass fails when a `lut` op is left over, reporting
    "failed to legalize operation 'lut.<op>'" on it. The one op the
    patterns refuse is a `lut.gather_sum` whose codes are a compile-time
    constant (`arith.constant` with dense integer elements) holding a code
    outside `[0, R)`: the pattern first reports
    "code C at [n, h] is outside [0, R)" on the op, for the first such code.
    Codes that are only known at run time are not checked; out-of-range
    codes then read outside the tables (undefined behaviour). Likewise a
    `lut.lut` whose mapping is a constant with an index outside `[0, I)`
    is refused with "mapping index V at [l, j] is outside [0, I)".

    The pass works on any op (usually the module or a function): the
    patterns only rewrite the lut ops in place and never touch symbols.

    With `keep-table-ops`, only `lut.mlp` and the weightless ops are
    lowered; `lut.lsh_encode` and `lut.gather_sum` stay (legal) for a later
    lowering to kernel calls (`lut-kernel-calls` after bufferization, as
    `lut-to-llvm-pipeline` does with `ukernels`) or for the HLS emitter.
    With `keep-table-ops` and `keep-weightless-ops`, `lut.thermometer` and
    `lut.lut` stay too, for their LutKernels calls (the CPU pipeline with
    `ukernels`); the HLS flow lowers them (their reference loops).
  }];
  let options = [
    Option<"keepTableOps", "keep-table-ops", "bool", /*default=*/"false",
           "Keep lut.lsh_encode and lut.gather_sum (lower lut.mlp and the weightless ops)">,
    Option<"keepWeightlessOps", "keep-weightless-ops", "bool", /*default=*/"false",
           "With keep-table-ops: also keep lut.thermometer and lut.lut (for their kernels)">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect"
  ];
}

#endif // LUT_CONVERSION_PASSES_TD
