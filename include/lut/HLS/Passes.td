//===- Passes.td - lut-mlir HLS passes ---------------------*- tablegen -*-===//
//
// The passes that take a model to the HLS-ready level of IR that the HLS
// C++ emitter (lut/HLS/EmitHLSCpp.h) translates: kernel outlining on
// tensors, and directive selection on loops over static memrefs. The whole
// path is `lut-hls-pipeline` (include/lut/Pipelines/Pipelines.h).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_HLS_PASSES_TD
#define LUT_HLS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LutHlsOutlineKernels : Pass<"lut-hls-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Outlines each LUT FFN into its own kernel functions";
  let description = [{
    Prepares a model on tensors for HLS: every `lut.gather_sum` (the table
    read of LookupFFN, Zeng et al., ICML 2024; the aggregation of MADDNESS,
    Blalock and Guttag, ICML 2021) becomes a call to a function of its own,
    so that each converted FFN can be synthesized as its own top function:

    * `ffn<i>_encode(x: N x D x f32) -> N x H x iW` holds the
      `lut.lsh_encode` that produces the gather's codes (when there is one,
      and the gather is its only user), with its projection and bias
      constants;
    * `ffn<i>_gather_sum(codes: N x H x iW) -> N x M x f32` holds the
      `lut.gather_sum` with its tables, bias and scales constants (and its
      `weights` as a second argument when they are not constant);
    * `ffn<i>(x) -> y` calls both (the DATAFLOW region of the FFN).

    `i` counts the gathers in the order of the entry function. A
    `tensor.extract_slice` with unit strides of a constant table (the row
    padding that `lut-pack-tables` adds for CPU vectors) is folded into a
    new constant holding only the slice, so that no padding reaches the
    FPGA's memories. Each function gets `lut.hls_kernel`,
    `lut.hls_arg_names` (`x`, `codes`, `y`, `weights`) and `lut.hls_results`;
    every other public function gets `lut.hls_arg_names` from its
    arguments' and results' `lut.name` (made C identifiers; `in<k>` and
    `out<k>` where there is none) and `lut.hls_results`.

    Shapes and element types are unchanged; the model computes the same
    numbers. Units: none.

    Errors: a `lut.gather_sum` or `lut.lsh_encode` on memrefs (the pass runs
    before bufferization), and a table slice whose constant has no data,
    are reported on the op, and the pass fails.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::tensor::TensorDialect"];
}

def LutHlsForwardResults : Pass<"lut-hls-forward-results", "::mlir::func::FuncOp"> {
  let summary = "Writes results straight into their out-parameters";
  let description = [{
    After `buffer-results-to-out-params`, a function whose result came from
    a call or an op writing a fresh buffer ends with `memref.copy %buf,
    %out`. For HLS that copy is a whole extra loop over the output and
    breaks DATAFLOW regions (a process may not be followed by a copy of
    its channel). This pass replaces `%buf` by the out-parameter `%out` and
    drops the copy, when `%buf` is a `memref.alloc` at the top of the
    function with the same type as `%out`, `%out` is a function argument
    used by nothing else, and the copy is `%buf`'s last use in the block.

    Shapes and element types are unchanged; the function computes the same
    values. Units: none. Errors: none; copies that do not match are left
    as they are.
  }];
}

def LutHlsDirectives : Pass<"lut-hls-directives", "::mlir::ModuleOp"> {
  let summary = "Chooses HLS directives from table sizes and a device budget";
  let description = [{
    Annotates a module at the HLS level (functions of `affine`/`scf` loops
    on static memrefs, with `lut.gather_sum` and `lut.lsh_encode` on
    memrefs) with the `lut.hls_*` attributes that the HLS C++ emitter turns
    into Vitis HLS pragmas (in the manner of ScaleHLS's loop and function
    directives; the attributes are documented with the `lut` dialect):

    * every public function becomes a top (`lut.hls_top`), with an
      `m_axi` interface and bundle `gmem<k>` per memref argument (the
      emitter adds `s_axilite` for control and return);
    * a function whose body is only buffers, calls and one return gets
      `lut.hls_dataflow`;
    * each `lut.gather_sum` whose tables are a `memref.global` used only as
      gather tables: the tables are partitioned completely along dim 1 (one
      bank per table, so the H reads of one output column happen in one
      cycle), reshaped cyclically along dim 3 by the column unroll factor
      `U` (U columns per memory word), and bound to ROM (`rom_2p`) in
      LUTRAM (banks of at most `lutram-bits` bits), URAM (banks of more
      than 64 Kib on a device with URAM when BRAM would overflow) or BRAM;
      the op gets `lut.hls_unroll = U` and `lut.hls_pipeline_ii`;
    * each `lut.lsh_encode` gets `lut.hls_pipeline_ii` (one table's code
      per cycle), and its projection, when a global, a complete partition
      along dim 1;
    * every innermost `affine.for`/`scf.for` of the dense parts gets
      `lut.hls_pipeline_ii`.

    `U` is the largest divisor of M (at most `max-column-unroll`) for which
    the module's estimated BRAM18 stay within `bram-fraction` of the
    device's and its adders' LUTs within `lut-fraction` of the device's, or
    `column-unroll` when that is set. Estimates (lut/HLS/Estimate.h) count
    BRAM18 by the best of the 16Kx1 ... 512x36 aspect ratios, a URAM per 4K
    x 72 bits, and a LUT per adder bit.

    Attributes already present are kept, so users can tune any choice in
    the IR before this pass. Units: `lutram-bits` in bits; fractions of the
    device's resources.

    Errors: an unknown `device` (the list is in the message and in
    docs/HLS.md), a `column-unroll` that does not divide a gather's M,
    fractions outside (0, 1], and a `pipeline-ii` below 1.
  }];
  let options = [
    Option<"device", "device", "std::string", /*default=*/"\"xcu250\"",
           "Device family whose BRAM18, URAM, DSP and LUT counts bound the "
           "choices: xcu250, xcu280, xcvu9p, xczu9eg, xc7z020">,
    Option<"columnUnroll", "column-unroll", "int64_t", /*default=*/"0",
           "Output columns per cycle of every lut.gather_sum (0: the largest "
           "that fits the budget)">,
    Option<"maxColumnUnroll", "max-column-unroll", "int64_t", /*default=*/"32",
           "Upper bound of the automatic column unroll factor">,
    Option<"pipelineII", "pipeline-ii", "int64_t", /*default=*/"1",
           "Initiation interval requested of every pipelined loop">,
    Option<"bramFraction", "bram-fraction", "double", /*default=*/"0.8",
           "Share of the device's BRAM18 (and URAM) that tables may use">,
    Option<"lutFraction", "lut-fraction", "double", /*default=*/"0.5",
           "Share of the device's LUTs that the gathers' adders may use">,
    Option<"lutramBits", "lutram-bits", "int64_t", /*default=*/"4096",
           "Table banks of at most this many bits go to LUTRAM">,
  ];
}

#endif // LUT_HLS_PASSES_TD
