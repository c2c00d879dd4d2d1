//===- LutDialect.td - the lut dialect ---------------------*- tablegen -*-===//
#ifndef LUT_DIALECT_TD
#define LUT_DIALECT_TD

include "mlir/IR/OpBase.td"

def Lut_Dialect : Dialect {
  let name = "lut";
  let summary = "Lookup-table operations that replace transformer feed-forward blocks.";
  let description = [{
    The `lut` dialect holds the operations lut-mlir uses to replace the
    feed-forward (MLP/FFN) blocks of a transformer with table lookups:

    * `lut.mlp` marks one detected FFN and keeps its dense body, so that it
      can be evaluated (for calibration) or inlined back.
    * `lut.lsh_encode` is the LookupFFN hash (Zeng et al., ICML 2024,
      arXiv:2403.07221): a projection followed by one sign bit per
      projected dimension, packed into `H` codes of `k` bits each.
    * `lut.gather_sum` reads one row of each of `H` tables and sums them:
      `y[n, m] = sum_h w[n, h] * T[h, codes[n, h], m] + b[m]`. It is also
      the aggregation step of product-quantized matmul (MADDNESS, Blalock
      and Guttag, ICML 2021).

    All ops work on ranked, statically shaped tensors. Their verifiers are
    local: they check the op's own operand and result types and attributes
    (ranks, shapes, element types, attribute ranges), never the values of
    other ops. The pass `convert-lut-to-linalg` lowers every op to
    `linalg`/`tensor`/`arith` on tensors; it is the semantic reference, and
    it also rejects `lut.gather_sum` codes that are compile-time constants
    outside the tables.

    Discardable attributes. The dialect owns these attributes on other
    dialects' ops; the dialect verifier checks them wherever they appear and
    reports any other `lut.`-prefixed attribute name as unknown:

    * `lut.name` (string) on a function argument or result: the name of
      the ONNX graph input or output it comes from, set by the ONNX
      importer. The compiled model's signature lists inputs and outputs by
      this name.
    * `lut.dtype` (string) on a function argument or result: the ONNX
      element type name of that input or output, one of `float`, `double`,
      `float16`, `bfloat16`, `bool`, `int8`, `int16`, `int32`, `int64`,
      `uint8`, `uint16`, `uint32`, `uint64`. It records the ONNX type where
      the MLIR element type loses it (an ONNX `uint8` and `int8` are both
      `i8`).
    * `lut.dim_names` (array of strings) on a function argument or result
      with dynamic dims: for each dim, the ONNX `dim_param` that names it
      ("" for static or unnamed dims), set by the ONNX importer. The
      signature reports dynamic dims by these names, and the runtime checks
      that input dims with the same name agree.
    * `lut.signature` (string) on a function op: the compiled model's
      signature text, as `lut_model_signature()` returns it at run time
      (a `lut-model v1` line, then one line per input and output with its
      index, dtype, shape and name; see docs/Runtime.md), recorded on the
      model's entry function by the compiler.
    * `lut.target_cpu` (string) on a module: the CPU the module is compiled
      for (an LLVM CPU name such as `x86-64-v3`), recorded by
      `lut-set-target` next to `llvm.target_triple`;
    * `lut.target_features` (string) on a module: LLVM's target feature
      string for that CPU (e.g. `+avx2,+fma`), recorded likewise.

    The verifier reports a `lut.name`, `lut.dtype`, `lut.signature` or
    `lut.target_cpu` or `lut.target_features` that is not a string, a `lut.dtype` that is not one of the names above, a
    `lut.dim_names` that is not an array of strings, and
    an unknown `lut.` attribute, naming the attribute and the argument or
    result index.
  }];
  let cppNamespace = "::lut";
  let discardableAttrs = (ins
    "::mlir::StringAttr":$name,
    "::mlir::StringAttr":$dtype,
    "::mlir::StringAttr":$signature,
    "::mlir::StringAttr":$target_cpu,
    "::mlir::StringAttr":$target_features,
    "::mlir::ArrayAttr":$dim_names
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class Lut_Op<string mnemonic, list<Trait> traits = []> :
    Op<Lut_Dialect, mnemonic, traits>;

#endif // LUT_DIALECT_TD
