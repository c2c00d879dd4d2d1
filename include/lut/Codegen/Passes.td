//===- Passes.td - lut-mlir code generation passes ---------*- tablegen -*-===//
//
// The passes between the lut ops' lowering and LLVM that are lut-mlir's own:
// loop order, bufferization glue, target recording and the model ABI. The
// upstream passes around them (bufferization, deallocation, *-to-llvm) are
// composed with these by `lut-to-llvm-pipeline` (include/lut/Pipelines).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_CODEGEN_PASSES_TD
#define LUT_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def LutInterchangeContractions
    : Pass<"lut-interchange-contractions", "::mlir::func::FuncOp"> {
  let summary = "Moves the output-column loop of contractions innermost";
  let description = [{
    A contraction `out[.., m, n] += a[.., m, k] * b[k, n]` as imported from
    ONNX (MatMul, Gemm, and `linalg.matmul` after generalization) has its
    reduction loop `k` innermost, so the inner loop walks `b` with a stride
    of `n` elements and cannot be vectorized. This pass interchanges the last
    parallel loop (`n`, which indexes the last dimension of the output) with
    the trailing reduction loop, so that the inner loop reads a row of `b`
    and updates a row of `out` contiguously.

    Applies to `linalg.generic` ops with at least two loops, exactly one
    reduction loop which is the last loop, a parallel loop before it that
    indexes the output's last dimension, and two inputs. Other ops are left
    as they are. Shapes and element types are unchanged; the result is the
    same up to floating-point summation order, which does not change (each
    output element still sums over `k` in increasing order).

    Errors: none.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def LutMemrefCopyToLinalg
    : Pass<"lut-memref-copy-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy as linalg.copy";
  let description = [{
    Bufferization (`one-shot-bufferize`, `buffer-results-to-out-params`)
    and `convert-bufferization-to-memref` express copies as `memref.copy`,
    which `finalize-memref-to-llvm` lowers to a call into MLIR's C runner
    library (`memrefCopy`) when a side is not contiguous. Compiled models
    must not depend on that library, so this pass rewrites every
    `memref.copy %src, %dst` as `linalg.copy ins(%src) outs(%dst)`, which
    lowers to loops like every other linalg op.

    Shapes and element types: any ranked memrefs of equal shape and element
    type (as `memref.copy` requires); unranked memrefs are left alone.

    Errors: none.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def LutMaterializeResults : Pass<"lut-materialize-results", "::mlir::ModuleOp"> {
  let summary = "Gives every function result its own freshly computed tensor";
  let description = [{
    Function results become caller-provided out-params after bufferization
    (`buffer-results-to-out-params`), which needs each result to be a
    distinct buffer that the function writes. ONNX graphs may return the
    same value twice, return a graph input unchanged, or return a constant.
    This pass, run on tensors just before bufferization, replaces each such
    returned value by a copy into a new tensor (`tensor.empty` +
    `linalg.copy`):

    * a value returned more than once (every occurrence after the first);
    * a function argument;
    * a constant (`arith.constant` or any other constant-like op).

    Shapes and element types are unchanged; dynamic dims are taken from the
    value with `tensor.dim`. Non-tensor results are left alone.

    Errors: none.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LutSetTarget : Pass<"lut-set-target", "::mlir::ModuleOp"> {
  let summary = "Records the target triple and CPU on the module";
  let description = [{
    Sets the module attributes `llvm.target_triple` (read by MLIR's
    translation to LLVM IR), `lut.target_cpu` and `lut.target_features`
    (read by lut-mlir's code generation, `lut-translate` and `lutc`), so that
    a module carries its target from `lut-opt` to `lut-translate`, and
    `lut-model-signature` records it in the compiled model, whose runtime
    then refuses to run on a CPU that lacks a feature.

    Empty options are resolved as `lutc` resolves them
    (lut/Codegen/Target.h): an empty `triple` is the host's (LLVM's default
    target triple); for the host's architecture an empty `cpu` (or
    `native`) is the host's CPU with the host's features, and `generic`
    stays generic; a cross triple with an empty `cpu` stays generic; a named
    CPU with empty `features` records the features that CPU implies in
    LLVM's target description.
    `features` is LLVM's feature string, e.g. `+avx2,+fma,-avx512f`.

    Errors: none. Whether the triple and CPU are known to LLVM is checked
    when the target machine is created.
  }];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"\"\"",
           "LLVM target triple, e.g. x86_64-linux-gnu (empty: the host's)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "Target CPU, e.g. x86-64-v3, neoverse-n1 (empty: generic)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "LLVM target features, e.g. +avx2,+fma (empty: the CPU's own)">
  ];
}

def LutModelSignature : Pass<"lut-model-signature", "::mlir::ModuleOp"> {
  let summary = "Records the compiled model's signature on its entry function";
  let description = [{
    Computes the signature text of the lut-mlir model ABI from the entry
    function, which must still be on tensors, and stores it as the
    `lut.signature` string attribute of that function; then removes the
    `lut.name` and `lut.dtype` argument and result attributes it was built
    from. `lut-model-abi` later exports the text as `lut_model_signature()`.

    The text is `lut-model v1`, then a `target <triple> <cpu> <features>`
    line from the module's `llvm.target_triple`, `lut.target_cpu` and
    `lut.target_features` (`generic` and `-` when absent; features are the
    enabled ones, comma-separated, without `+`), then one line per input,
    then per output: `input|output <index> <dtype> <d0,d1,...|scalar> <name>`, where
    dtype is the `lut.dtype` attribute (the ONNX TensorProto data type name,
    e.g. `float`, `uint8`) or, without it, the name of the element type
    (f32 -> float, i64 -> int64, ...), dims are element counts, or `?` for
    a dynamic dim followed by its name from `lut.dim_names` (the ONNX
    dim_param, characters other than letters, digits, `_`, `.` and `-`
    replaced by `_`; e.g. `?batch,1,28,28`), and the name is the
    `lut.name` attribute (the ONNX value name; control characters are
    replaced by `?`). docs/Runtime.md describes the format.

    Errors: no function named `entry`; a function without results (a
    model must have an output); an argument or result that is not a ranked
    tensor; a static tensor with no elements; an element type with no ONNX
    equivalent.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main_graph\"",
           "Name of the model's entry function">
  ];
}

def LutOutputShapes : Pass<"lut-output-shapes", "::mlir::ModuleOp"> {
  let summary = "Adds a function that computes a dynamic model's output shapes";
  let description = [{
    For an entry function with a dynamic dim in an argument or result type
    (on tensors, after `lut-model-signature`), adds the public function
    `<entry>_output_shapes`: the same arguments, and one `index` result per
    dim of each result of the entry, in order (static dims as constants).
    It is a clone of the entry whose returned tensors are replaced by their
    `tensor.dim`s, resolved through the producing ops
    (`ReifyRankedShapedTypeOpInterface`, as upstream
    `resolve-ranked-shaped-type-result-dims`) and canonicalized, so that
    the ops computing only data become dead and are erased. For the usual
    models (output dims that follow from input dims) only a few index ops
    remain; a shape that depends on input data (e.g. a Reshape target
    read from an input) keeps the ops that compute it. `lut-model-abi`
    exports it as `lut_model_output_shapes`, which the runtime calls to
    allocate the outputs before `lut_model_run_dynamic`. A static entry is
    left alone.

    Errors: no function named `entry`; a result that is not a ranked
    tensor; a symbol `<entry>_output_shapes` that already exists.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main_graph\"",
           "Name of the model's entry function">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::tensor::TensorDialect"];
}

def LutEntryToLLVM : Pass<"lut-entry-to-llvm", "::mlir::ModuleOp"> {
  let summary = "Lowers a dynamic entry function with memref descriptors";
  let description = [{
    The model pipeline lowers functions with the bare-pointer calling
    convention, which cannot pass a memref with a dynamic size. For an
    entry function with dynamic dims (and its `<entry>_output_shapes`), this
    pass lowers just those functions to `llvm.func` with MLIR's default
    calling convention first: every memref argument becomes its expanded
    descriptor (allocated pointer, aligned pointer, offset, sizes, strides;
    i64), so that `lut-model-abi` can build them from the run-time shapes.
    Run it after the memref-to-LLVM conversion and before
    `convert-func-to-llvm`. A static entry is left alone.

    Errors: a function that cannot be lowered (e.g. an unranked memref
    argument).
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main_graph\"",
           "Name of the model's entry function">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def LutModelAbi : Pass<"lut-model-abi", "::mlir::ModuleOp"> {
  let summary = "Adds the model ABI entry points in the LLVM dialect";
  let description = [{
    After lowering to the LLVM dialect (bare-pointer calling convention,
    results as out-params), adds the C entry points of the lut-mlir model
    ABI (docs/Runtime.md):

    ```c
    int32_t lut_model_run(void *const *inputs, void *const *outputs);
    const char *lut_model_signature(void);
    ```

    `lut_model_run` loads one data pointer per input and per output from the
    two arrays and calls the entry function, whose linkage becomes
    `internal`; it returns 0. `lut_model_signature` returns the text of the
    entry's `lut.signature` attribute (from `lut-model-signature`), stored
    as a private constant, and the attribute is removed.

    Errors: no `llvm.func` named `entry`; no `lut.signature` on it; an
    argument that is not a pointer; an argument count that differs from
    the number of inputs and outputs in the signature.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main_graph\"",
           "Name of the model's entry function">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // LUT_CODEGEN_PASSES_TD

def LutKernelCalls : Pass<"lut-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Lowers lut ops on memrefs to calls of the LutKernels microkernels";
  let description = [{
    Replaces each `lut.gather_sum`, `lut.lsh_encode`, `lut.thermometer` and
    `lut.lut` on memrefs (after
    bufferization) by one `func.call` of the LutKernels C ABI
    (`include/lut-c/Kernels.h`, the static archive `libLutKernels.a` that
    `lutc` links into every model), in the manner of IREE's ukernels: the
    call takes the address of each operand's first element (`!llvm.ptr`,
    from `memref.extract_aligned_pointer_as_index` plus the offset of
    `memref.extract_strided_metadata`), its sizes and its row strides (i64,
    in elements). The callee is declared `func.func private`:

    * `lut.gather_sum` → `lutk_gather_sum_<T>_<C>`, with `T` the table
      element type (`f32`, `f16`, `bf16`, `i8`) and `C` the code type (`u8`
      for i8 codes, `u16` for i16, `i32` for i32; codes are read unsigned).
      For `i8` tables the scales are passed with stride 0 when they are `M`
      (one per column) and the row stride when they are `H x M`.
    * `lut.lsh_encode` → `lutk_lsh_encode_f32_<C>`.
    * `lut.thermometer` → `lutk_thermometer_f32` (the bits, `i1` or `i8`,
      are one byte each in memory).
    * `lut.lut` → `lutk_lut_f32_m32` or `lutk_lut_f32_m64`, by the
      mapping's element type (weightless layers on token-minor bytes, with
      addresses built by shifts and ORs for 32 tokens at once).

    The kernels pick the best vector path for the running CPU (AVX-512,
    AVX2, NEON or scalar) at their first call; their arithmetic is in
    Kernels.h. Dynamic `N` is passed at run time. Ops on tensors are left
    alone.

    Errors: an operand that is not a memref, an operand whose innermost
    dimension is not contiguous (stride 1), codes of a width other than 8,
    16 or 32 bits, more than 8 `bits` with i8 codes, and a symbol of the
    kernel's name declared with another type.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def LutDenseCalls : Pass<"lut-dense-calls", "::mlir::ModuleOp"> {
  let summary = "Lowers f32 contractions on memrefs to calls of the LutDense library";
  let description = [{
    Replaces each linalg contraction on statically shaped f32 memrefs
    (`linalg.matmul`, `linalg.batch_matmul`, or any `linalg.generic` that
    `linalg::inferContractionDims` classifies, with exactly a `mulf` and an
    `addf` in its body) whose output was filled with 0.0 just before
    (`linalg.fill`, which is removed) by a call of
    `lutd_batch_matmul_f32(batch, M, N, K, A, strideA, lda, B, strideB,
    ldb, C, strideC, ldc, flags)` from the LutDense C ABI
    (`include/lut-c/Dense.h`; oneDNN's `dnnl_sgemm` underneath, or
    OpenBLAS's `cblas_sgemm`, as lut-mlir was configured: LUT_DENSE_BACKEND;
    on `LUT_NUM_THREADS` threads, default: the CPUs the process may run on).

    The M, N and K dimension groups of the contraction must each be laid
    out as one row-major run in every operand that uses them (so that ONNX
    MatMul's `[B, T, D] x [D, F]` is one `(B*T) x D` by `D x F` product);
    an operand contiguous along K (A) or N (B) is passed as is, one
    contiguous along M (A) or K (B) as transposed (`LUTD_TRANS_A`,
    `LUTD_TRANS_B`). Batch dimensions fold into the call's batch when they
    form one run with the same strides (a broadcast operand has batch
    stride 0); the others become `scf.for` loops around the call. Strides
    are in elements.

    Contractions that do not match (dynamic shapes or strides, another
    element type or body, an output that is not zero-filled just before,
    a layout with no unit stride where one is needed) are left alone and
    lowered to loops like any other linalg op.

    The call's status (nonzero when the library fails, e.g. out of memory)
    is not checked yet. Errors: a symbol `lutd_batch_matmul_f32` declared
    with another type.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def LutFuseElementwise : Pass<"lut-fuse-elementwise"> {
  let summary = "Fuses elementwise linalg ops into their consumers, but never into contractions";
  let description = [{
    Runs upstream MLIR's elementwise fusion (`linalg`'s
    `populateElementwiseOpsFusionPatterns`, as `linalg-fuse-elementwise-ops`)
    on tensors, with one restriction: a producer is fused into its consumer
    only when the consumer is not a contraction (a matmul-like
    `linalg.generic`: `linalg::isaContractionOpInterface`) and the producer
    has a single use. Fusing, say, LayerNorm's scale-and-shift into the
    following matrix product would recompute it once per output column and
    hide the product from `lut-dense-calls`; fusing a value that has several
    users would recompute it once per user.

    What it removes: the intermediate tensors between chains of elementwise
    ops, transposes (which become indexing maps of their consumer), and the
    elementwise producers of reductions (LayerNorm's centring feeding its
    variance, residual adds feeding LayerNorm). On the example ViT (batch
    100) this removes about a third of the `linalg.generic` ops.

    Operates on any op (usually `func.func`) holding `linalg` ops on
    tensors; run it after `linalg-generalize-named-ops` and before
    bufferization. Element types and shapes are unchanged.

    Errors: none (a failed rewrite leaves the IR as it was).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def LutReassociateReductions : Pass<"lut-reassociate-reductions"> {
  let summary = "Lets the combiners of floating-point reductions be reassociated";
  let description = [{
    A `linalg.generic` reduction (the max and the sum of softmax, the mean
    and variance of LayerNorm, ReduceSum, ...) lowers to a loop that carries
    one accumulator, `acc = combine(x[k], acc)`. With IEEE semantics LLVM
    must add in sequence, so the loop stays scalar. This pass puts the
    `reassoc` fast-math flag on each combiner: every floating-point `arith`
    op in the body of a `linalg.generic` with at least one reduction
    iterator that takes an output (accumulator) block argument as an
    operand. LLVM's loop vectorizer then splits the accumulator into vector
    lanes and sums them at the end, as ONNX Runtime and every BLAS do.

    Effect on results: sums are taken in a different order, so results may
    differ from a sequential sum in the last bits (relative differences of
    about n * 2^-24 for n summed f32 values, the usual bound). `maximumf` and
    `minimumf` keep their NaN semantics (reassociating them is exact).
    Elementwise bodies, contractions handed to `lut-dense-calls`, and
    non-float arithmetic are unchanged. Works on tensors or memrefs; shapes
    and element types are unchanged.

    Errors: none.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def LutOutlineParallelLoops : Pass<"lut-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Runs outermost scf.parallel loops on the kernels' threads";
  let description = [{
    Compiled models run their dense library calls and LUT kernels on the
    `LUT_NUM_THREADS` threads of libgomp's team; this pass puts the loops
    around them (softmax, LayerNorm, GELU, residual adds, transposes: the
    `scf.parallel` nests that `convert-linalg-to-parallel-loops` makes of
    `linalg.generic`) on the same threads, in the manner of upstream
    `convert-scf-to-openmp` but without a second OpenMP runtime.

    Each `scf.parallel` directly in a function body, with no results, whose
    estimated work (iterations times the ops of its body, nested loops
    counted by their static trip counts, an unknown count as 1024) is at
    least `min-work`, becomes:

    - a private function `<func>_par(ctx: !llvm.ptr, begin: i64, end: i64)`
      (internal linkage in the object) that runs the iterations [begin, end) of the loop's split dimensions
      (linearized row-major): all of them when the body holds loops, else
      all but the innermost, which stays a loop in each item so that LLVM
      vectorizes it (a 1-d loop is split into contiguous ranges);
    - at the loop's place: a stack context (`llvm.alloca` of a struct)
      holding the values the body uses from above (memrefs as their LLVM
      descriptors through `builtin.unrealized_conversion_cast`, which
      `reconcile-unrealized-casts` removes after the LLVM conversion; index
      values as i64; integers and floats as they are; constants and
      `memref.get_global` are recreated in the function instead), and
      `func.call @lutk_parallel_for(items, fn, ctx)`.

    `lutk_parallel_for` (LutKernels, include/lut-c/Kernels.h) splits the
    items into one contiguous range per thread, or calls fn once on the
    caller with one thread: results are bit-identical for any thread count,
    since each iteration runs exactly as before. The context lives on the
    caller's stack, so models stay reentrant. Loops are left as they are
    when they carry `scf.reduce` results or use a value the context cannot
    hold (vectors, non-strided memrefs).

    Errors: a symbol `lutk_parallel_for` of another type in the module.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"65536",
           "Smallest estimated work (scalar ops) of a loop that is outlined; "
           "smaller loops stay on the calling thread">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect", "::mlir::func::FuncDialect"];
}

def LutExpandArith : Pass<"lut-expand-arith"> {
  let summary = "Expands the arith ops that arith-to-llvm cannot lower, and only those";
  let description = [{
    Upstream `arith-expand` also rewrites `arith.maximumf`/`minimumf` (and
    the `num` forms) into compare-and-select chains. `arith-to-llvm` lowers
    those ops directly to `llvm.intr.maximum`/`minimum`/`maxnum`/`minnum`,
    which LLVM vectorizes as min/max reductions; the compare-and-select
    chain it does not. This pass applies the rest of `arith-expand`'s
    rewrites: `ceildivsi`, `ceildivui` and `floordivsi` as integer
    arithmetic (`populateCeilFloorDivExpandOpsPatterns`), `extf`/`truncf`
    of bf16, f4E2M1 and f8E8M0 as integer bit manipulation, and the scaling
    extension and truncation ops. Shapes and element types are unchanged.

    Errors: none.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::vector::VectorDialect"];
}

def LutApproximateMath : Pass<"lut-approximate-math"> {
  let summary = "Replaces math function calls by MLIR's polynomial approximations";
  let description = [{
    Rewrites `math.erf`, `math.exp`, `math.tanh` and the other f32 math
    functions that MLIR approximates (upstream
    `populateMathPolynomialApproximationPatterns`: Cephes-style minimax
    polynomials with range reduction, accurate to a few ulp in f32) into
    arithmetic, so that compiled models do not call libm and LLVM can
    vectorize the loops that use them. `ops` limits the rewrite to some
    functions (by op name without `math.`, e.g. `erf,exp`); empty means all
    that MLIR approximates. f16 and bf16 operands are computed in f32.

    Errors: none.
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Math functions to approximate, e.g. erf,exp,tanh (empty: all)">
  ];
  let dependentDialects = ["::mlir::math::MathDialect", "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect", "::mlir::LLVM::LLVMDialect"];
}
