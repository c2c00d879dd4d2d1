//===- Passes.td - lut dialect passes ----------------------*- tablegen -*-===//
#ifndef LUT_PASSES_TD
#define LUT_PASSES_TD

include "mlir/Pass/PassBase.td"

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

def LutConvertMlp : Pass<"lut-convert-mlp", "::mlir::ModuleOp"> {
  let summary = "Replaces lut.mlp regions with fitted lookup-table ops";
  let description = [{
    Replaces each `lut.mlp` (from `lut-detect-mlp`) with lookup-table ops
    whose tables are fitted post-training to the dense FFN.

    `method=lsh` (LookupFFN, Zeng et al., ICML 2024, arXiv:2403.07221):
    `codes = lut.lsh_encode(x, P, c)` with H tables of k sign bits, then
    `y = lut.gather_sum(codes, T, b)`; x of any batch rank is flattened to
    `[N, d_model]` and the result reshaped back. The projection is
    `hidden` (the pre-activation signs `x·w1_j + b1_j > 0` of the FFN's
    H·k most important hidden units, ranked by ‖w1_j‖·‖w2_j‖; for gated
    FFNs two bits per unit, the signs of its gate and up pre-activations,
    for the H·k/2 units of largest ‖wg_j‖·‖wu_j‖·‖w2_j‖) or `random`
    (Gaussian hyperplanes through the calibration mean). With
    `threshold=split` (the default) each hidden-unit (or gate) hyperplane's
    offset moves to the two-means split of max(z, 0) on the calibration
    rows, so the bit carries magnitude where the activation varies most;
    `threshold=zero` keeps the pre-activation sign. Tables T [H, 2^k, d_out] (f32) and b [d_out] are
    fitted by least squares to calibration pairs (x, FFN(x)) with ridge
    backfitting (`sweeps`, `ridge` in samples); the last `holdout` share of
    rows is held out and its relative MSE (unexplained share of the output
    variance) reported. P, c and T become `dense_resource` blobs. Codes
    are `i8` (read as unsigned) for k <= 8 and `i16` above.

    Calibration pairs come from the driver (lutc runs the dense model
    natively; see `lutc --help`) or, in lut-opt, from `calibration-dir`:
    `<name>.x.npy` [N, d_model] and `<name>.y.npy` [N, d_out] f32 files per
    FFN (`lutc --dump-calibration` writes them).

    `only`/`skip` select FFNs by name. The pass emits a remark per FFN with
    its fit error.

    Errors, each reported on the `lut.mlp` at fault or on the module: bits
    outside [1, 16]; tables < 1; a negative seed; tables*bits above d_ff (2·d_ff, and even,
    for gated FFNs) with `projection=hidden`; a ridge that is negative or
    not finite; sweeps outside [1, 1000]; a holdout outside [0, 0.5] or
    leaving fewer than 2 training rows; tables over 4 GiB; an `only` or
    `skip` name that matches no `lut.mlp`; and missing or malformed
    calibration files. Unknown option names and values (for example
    `method=pq`) are rejected by the option parser with the list of
    accepted values.
  }];
  let options = [
    Option<"method", "method", "::lut::LutMethod", "::lut::LutMethod::lsh",
           "Replacement method",
           [{::llvm::cl::values(
             clEnumValN(::lut::LutMethod::lsh, "lsh",
                        "LookupFFN: sign-bit hashes and summed tables"))}]>,
    Option<"tables", "tables", "int64_t", /*default=*/"48", "Number of tables H (>= 1)">,
    Option<"bits", "bits", "int64_t", /*default=*/"8",
           "Hash bits per table k, in [1, 16] (each table has 2^k rows)">,
    Option<"projection", "projection", "::lut::LutProjection",
           "::lut::LutProjection::hidden", "Hyperplanes of the hash",
           [{::llvm::cl::values(
             clEnumValN(::lut::LutProjection::hidden, "hidden",
                        "the FFN's own most important hidden units"),
             clEnumValN(::lut::LutProjection::random, "random",
                        "Gaussian hyperplanes through the calibration mean"))}]>,
    Option<"threshold", "threshold", "::lut::LutThreshold",
           "::lut::LutThreshold::split", "Hyperplane offsets",
           [{::llvm::cl::values(
             clEnumValN(::lut::LutThreshold::split, "split",
                        "two-means split of max(z, 0) on the calibration rows"),
             clEnumValN(::lut::LutThreshold::zero, "zero",
                        "the sign of the pre-activation"))}]>,
    ListOption<"only", "only", "std::string", "Convert only these FFNs (by name)">,
    ListOption<"skip", "skip", "std::string", "Do not convert these FFNs (by name)">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "Seed of random projections, an integer >= 0">,
    Option<"sweeps", "sweeps", "int64_t", /*default=*/"8", "Backfitting sweeps, in [1, 1000]">,
    Option<"ridge", "ridge", "double", /*default=*/"20.0",
           "Ridge of the table fit, in samples (>= 0)">,
    Option<"holdout", "holdout", "double", /*default=*/"0.1",
           "Share of calibration rows held out for the reported fit error, in [0, 0.5]">,
    Option<"calibrationDir", "calibration-dir", "std::string", /*default=*/"",
           "Directory with <name>.x.npy and <name>.y.npy per FFN">,
    Option<"reportTableType", "report-table-type", "::lut::LutTableType",
           "::lut::LutTableType::f32",
           "Element type the tables will be stored as (lut-pack-tables); the report "
           "adds the held-out relative MSE of the tables so stored",
           [{::llvm::cl::values(
             clEnumValN(::lut::LutTableType::f32, "f32", "as fitted"),
             clEnumValN(::lut::LutTableType::f16, "f16", "IEEE binary16"),
             clEnumValN(::lut::LutTableType::bf16, "bf16", "bfloat16"),
             clEnumValN(::lut::LutTableType::i8, "i8", "8-bit integers with f32 scales"))}]>,
    Option<"reportPerTableScales", "report-per-table-scales", "bool", /*default=*/"false",
           "With report-table-type=i8: scales per table and column, as lut-pack-tables' "
           "per-table-scales">
  ];
  let dependentDialects = ["::lut::LutDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def LutPackTables : Pass<"lut-pack-tables"> {
  let summary = "Stores the constant tables of lut.gather_sum as f16, bf16 or i8";
  let description = [{
    The memory-layout pass of the LUT flow: rewrites each `lut.gather_sum`
    (on tensors) whose `tables` operand is an f32 `arith.constant` (dense
    or `dense_resource`) and that has no `scales`, so that its tables take
    2 or 4 times fewer bytes. A gather reads one row of `M` entries per
    table and token, so the bytes it moves shrink by the same factor.

    * `table-type=f16` or `bf16`: every entry rounded to nearest-even
      (IEEE binary16 keeps 11 significant bits in [6e-5, 65504]; bf16
      keeps 8 bits over the f32 range). The kernels convert back to f32
      and add in f32.
    * `table-type=i8` (the default): symmetric linear quantization,
      `T[h, r, m] ~ s[m] * q[h, r, m]` with `q` in [-127, 127] and
      `s[m] = max_{h,r} |T[h, r, m]| / 127`: one scale per output column,
      shared by all tables (the MADDNESS / LUT-NN form), so the sum over
      tables accumulates exactly in integers and is scaled once; the op
      gets `scales` of shape `M x f32`. The rounding error of one entry is
      at most `s[m] / 2`. With `per-table-scales`, `s[h, m] = max_r |T[h,
      r, m]| / 127` (`H x M x f32`): a smaller error when tables differ in
      range, but the sum is taken in f32.
    * `table-type=f32`: nothing changes.

    The new constants are `dense_resource` blobs named after the old one
    (`<key>.<type>`, and `<key>.scales`); the old constant is erased when
    nothing else uses it.

    Row layout: each stored row of `M` entries is padded with zeros to a
    multiple of `row-align` bytes (default 64, one AVX-512 vector or cache
    line; 0 keeps rows contiguous), so that with the 64-byte aligned
    constant every row starts on a vector boundary. The stored constant is
    then `H x R x Mp` and the op reads its `H x R x M` part through
    `tensor.extract_slice` (a strided view after bufferization; the kernels
    take the row stride). Codes are not changed by this pass:
    `lut-convert-mlp` already stores them as i8 (u8) for `bits` <= 8 and
    i16 (u16) above.

    Errors: a `dense_resource` table whose blob is not available (for
    example, a module parsed without its resource section) is reported on
    the op; a `row-align` that is not 0 or a power of two up to 4096. Gathers whose tables are not an f32 constant, or that already
    have `scales`, are left as they are.
  }];
  let options = [
    Option<"tableType", "table-type", "::lut::LutTableType", "::lut::LutTableType::i8",
           "Element type of the stored tables",
           [{::llvm::cl::values(
             clEnumValN(::lut::LutTableType::f32, "f32", "unchanged"),
             clEnumValN(::lut::LutTableType::f16, "f16", "IEEE binary16"),
             clEnumValN(::lut::LutTableType::bf16, "bf16", "bfloat16"),
             clEnumValN(::lut::LutTableType::i8, "i8",
                        "8-bit integers with f32 scales"))}]>,
    Option<"perTableScales", "per-table-scales", "bool", /*default=*/"false",
           "i8: one scale per table and column (H x M) instead of per column (M)">,
    Option<"rowAlign", "row-align", "int64_t", /*default=*/"64",
           "Pad each stored table row to a multiple of this many bytes "
           "(0 or a power of two up to 4096; 0: no padding)">
  ];
  let dependentDialects = ["::lut::LutDialect", "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LutTile : Pass<"lut-tile", "::mlir::func::FuncOp"> {
  let summary = "Tiles lut.gather_sum and lut.lsh_encode to the target's cache sizes";
  let description = [{
    The tiling pass of the LUT flow. Each `lut.gather_sum` and
    `lut.lsh_encode` on tensors is tiled with upstream SCF tiling
    (`scf::tileUsingSCF` through the ops' `TilingInterface`) into `scf.for`
    loops over a block of tokens and a block of output columns (gather_sum)
    or of tables (lsh_encode), the column loop outermost: one slice of the
    tables stays resident in L2 while every token tile streams through it,
    and each token tile's working set stays in L1. Partial tiles at the
    ends and a dynamic token count `N` (`tensor<?x...>`) are handled by the
    loops (`affine.min` sizes).

    Tile sizes, from the L1 and L2 data cache sizes (bytes):

    * gather_sum (tables `H x R x M` of `e` bytes, codes of `c` bytes):
      columns `tm` = the largest multiple of `64 / e` with
      `H * R * tm * e <= L2 / 2`; tokens `tn` = the largest multiple of 8
      (or the largest count, if under 8) with `tn * (H * c + tm * 4) <= L1 / 2`.
    * lsh_encode (`x` of `N x D`, `k` bits, f32 projection): tables `th`
      with `D * th * k * 4 <= L2 / 2`; tokens `tn`, a multiple of 8 (or the
      largest count, if under 8), with `tn * D * 4 <= L1 / 2`.

    The ops take static table shapes, so the column (gather_sum) or table
    (lsh_encode) tile is then rounded down to a divisor of `M` (`H`); the
    token tile may leave a partial last tile, and `N` may be dynamic. A
    dimension whose tile covers it all (static size) is not tiled; an op
    with no tiled dimension is left as it is. The cache sizes are those of
    the host (Linux sysfs, CPU 0) when the module's `llvm.target_triple` is
    absent or of the host's architecture, else 32 KiB and 1 MiB; the
    options override them and the tile sizes.

    This is the blocking of LookupFFN's CPU kernel (tables outer, tokens
    inner) expressed in MLIR, for lowerings that do not block on their own:
    the linalg reference lowering (`ukernels=false`) and the HLS backend,
    whose tiles must fit on-chip memory. The LutKernels microkernels block
    by 64 columns and split calls over threads themselves, so lutc's native
    flow does not run this pass by default (`lutc --lut-tile` does).

    Errors: a negative option; tiling failures, reported on the op.
  }];
  let options = [
    Option<"l1CacheBytes", "l1-cache-bytes", "int64_t", /*default=*/"0",
           "L1 data cache size in bytes (0: the target's)">,
    Option<"l2CacheBytes", "l2-cache-bytes", "int64_t", /*default=*/"0",
           "L2 cache size in bytes (0: the target's)">,
    Option<"tokenTile", "token-tile", "int64_t", /*default=*/"0",
           "Tokens per tile (0: chosen from the cache sizes)">,
    Option<"columnTile", "column-tile", "int64_t", /*default=*/"0",
           "Output columns (gather_sum) or tables (lsh_encode) per tile (0: chosen)">
  ];
  let dependentDialects = ["::lut::LutDialect", "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect", "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // LUT_PASSES_TD
