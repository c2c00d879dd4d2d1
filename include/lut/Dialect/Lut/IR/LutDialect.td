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

    HLS attributes, in the manner of ScaleHLS's loop and function
    directives. `lut-hls-outline-kernels` and `lut-hls-directives` set them
    and the HLS C++ emitter (`lut-translate --emit-hls-cpp`) reads them;
    users may edit them in the IR. See docs/HLS.md.
    * `lut.hls_kernel` (string) on a function: the LUT kernel it holds
      (`ffn`, `lsh_encode` or `gather_sum`), set when it was outlined.
    * `lut.hls_arg_names` (array of strings) on a function: a C identifier
      per argument, inputs first, then one per result (results become
      output arguments after bufferization); the testbench files are named
      after them.
    * `lut.hls_results` (integer) on a function: how many of its trailing
      arguments are outputs once results are out-parameters.
    * `lut.hls_top` (unit) on a function: a top function; it gets
      `INTERFACE` pragmas, a testbench and a line in the header.
    * `lut.hls_dataflow` (unit) on a function whose body is only local
      buffers and calls, with one exit: `#pragma HLS DATAFLOW`.
    * `lut.hls_interface` (string) on a top function's memref argument:
      `m_axi` (the only mode the emitter offers for arrays), with
      `lut.hls_bundle` (string), the AXI bundle name.
    * `lut.hls_pipeline_ii` (integer >= 1) on an `affine.for`/`scf.for` or
      a `lut.gather_sum`/`lut.lsh_encode` on memrefs: `#pragma HLS PIPELINE
      II=n` (for the lut ops: on their column-block and table loops).
    * `lut.hls_unroll` (integer >= 1) on a loop: `#pragma HLS UNROLL
      factor=n`; on a `lut.gather_sum`, the output columns computed per
      cycle (the unroll factor of the column loop; it must divide M).
    * `lut.hls_storage` (string `type:impl`, e.g. `rom_2p:bram`) on a
      `memref.global`: `#pragma HLS BIND_STORAGE`.
    * `lut.hls_partition` (array of dictionaries) on a `memref.global`:
      one `ARRAY_PARTITION` (`{pragma = "partition"}`) or `ARRAY_RESHAPE`
      (`{pragma = "reshape"}`) each, with `type` (`complete`, `cyclic` or
      `block`), `dim` (1-based) and, unless complete, `factor`.

    The verifier reports a `lut.name`, `lut.dtype`, `lut.signature` or
    `lut.target_cpu` or `lut.target_features` that is not a string, a `lut.dtype` that is not one of the names above, a
    `lut.dim_names` that is not an array of strings, an HLS attribute of
    the wrong kind or out of range, and
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
    "::mlir::ArrayAttr":$dim_names,
    "::mlir::StringAttr":$hls_kernel,
    "::mlir::ArrayAttr":$hls_arg_names,
    "::mlir::IntegerAttr":$hls_results,
    "::mlir::UnitAttr":$hls_top,
    "::mlir::UnitAttr":$hls_dataflow,
    "::mlir::StringAttr":$hls_interface,
    "::mlir::StringAttr":$hls_bundle,
    "::mlir::IntegerAttr":$hls_pipeline_ii,
    "::mlir::IntegerAttr":$hls_unroll,
    "::mlir::StringAttr":$hls_storage,
    "::mlir::ArrayAttr":$hls_partition
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class Lut_Op<string mnemonic, list<Trait> traits = []> :
    Op<Lut_Dialect, mnemonic, traits>;

#endif // LUT_DIALECT_TD
