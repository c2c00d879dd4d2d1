//===- Pipelines.h - lut-mlir's registered pass pipelines -------*- C++ -*-===//
//
// The compiler as pass pipelines, for lutc (which builds its pass managers
// from these functions), for lut-opt (registered names) and for other MLIR
// compilers that embed lut-mlir:
//
//   lut-ffn-pipeline      detect the FFNs and replace them with fitted LUT
//                         ops (lut-detect-mlp, lut-convert-mlp); tensors in,
//                         tensors out. Takes lut-convert-mlp's options.
//   lut-to-llvm-pipeline  tensors (func + linalg/tensor/arith/math + lut)
//                         to the LLVM dialect with the model ABI, ready for
//                         `lut-translate --lut-to-llvmir`.
//
// docs/Architecture.md draws the whole pipeline and lists the passes that
// each optimization level adds.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_PIPELINES_PIPELINES_H
#define LUT_PIPELINES_PIPELINES_H

#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace lut {

/// Options of `lut-to-llvm-pipeline`.
struct LutToLLVMPipelineOptions
    : public mlir::PassPipelineOptions<LutToLLVMPipelineOptions> {
  Option<std::string> entry{*this, "entry",
                            llvm::cl::desc("Name of the model's entry function"),
                            llvm::cl::init("main_graph")};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level 0-3: 0 runs only the passes the lowering "
                     "needs; 1, 2 and 3 add canonicalization, CSE and the contraction "
                     "loop order (LLVM's own level is set where LLVM IR is produced)"),
      llvm::cl::init(2)};
  Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("Target triple recorded on the module (empty: the host's)"),
      llvm::cl::init("")};
  Option<std::string> targetCpu{*this, "target-cpu",
                                llvm::cl::desc("Target CPU recorded on the module "
                                               "(empty: the triple's generic CPU)"),
                                llvm::cl::init("")};
  Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("LLVM target features recorded on the module, e.g. +avx2,+fma "
                     "(empty: the CPU's own)"),
      llvm::cl::init("")};
  Option<bool> ukernels{
      *this, "ukernels",
      llvm::cl::desc("Lower lut.gather_sum, lut.lsh_encode, lut.thermometer and lut.lut to "
                     "calls of the LutKernels "
                     "microkernels (lut-kernel-calls) instead of linalg loops; the model "
                     "must then be linked with libLutKernels.a, as lutc does; false: "
                     "the linalg reference lowering (convert-lut-to-linalg)"),
      llvm::cl::init(true)};
  Option<bool> denseLibrary{
      *this, "dense-library",
      llvm::cl::desc("Lower f32 matrix products to calls of the LutDense library "
                     "(lut-dense-calls; oneDNN or OpenBLAS underneath); the model must then be "
                     "linked with libLutDense.a and its backend"),
      llvm::cl::init(false)};
  Option<bool> tile{
      *this, "tile",
      llvm::cl::desc("Tile lut.gather_sum and lut.lsh_encode to the target's cache sizes "
                     "(lut-tile) before lowering them"),
      llvm::cl::init(false)};
  Option<bool> parallelLoops{
      *this, "parallel-loops",
      llvm::cl::desc("At opt-level 1 and above, lower linalg ops to scf.parallel loops and "
                     "run the outermost ones worth it on the LUT_NUM_THREADS threads "
                     "(lut-outline-parallel-loops); the model then calls "
                     "lutk_parallel_for and must be linked with libLutKernels.a, as lutc "
                     "does; false: sequential loops"),
      llvm::cl::init(true)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("At opt-level 1 and above, replace erf, exp, tanh and the other "
                     "f32 math functions by MLIR's polynomial approximations "
                     "(lut-approximate-math) instead of libm calls"),
      llvm::cl::init(true)};
};

/// Bufferization: one fresh tensor per function result
/// (`lut-materialize-results`), tensors to memrefs across function boundaries with
/// identity layouts (upstream `one-shot-bufferize`), function results as
/// caller-provided out-params (`buffer-results-to-out-params`, static
/// allocations hoisted), and ownership-based deallocation
/// (`buffer-deallocation-pipeline`), then, on memrefs, the library calls the
/// options ask for (`lut-kernel-calls` with `ukernels`, `lut-dense-calls` with
/// `dense-library`).
void buildLutBufferizePipeline(mlir::OpPassManager &pm,
                               const LutToLLVMPipelineOptions &options);

/// From bufferized linalg to the LLVM dialect: copies as linalg.copy, linalg
/// to loops (at opt-level >= 1 with `parallel-loops`: to scf.parallel, the
/// outermost ones outlined onto the kernels' threads by
/// `lut-outline-parallel-loops`), affine/scf/memref/math/arith/func to LLVM (bare-pointer memref
/// calling convention; at opt-level >= 1 math functions become polynomials
/// with `lut-approximate-math` unless `approximate-math=false`, else libm),
/// then the model ABI entry points (`lut-model-abi`).
void buildLutLowerToLLVMPipeline(mlir::OpPassManager &pm,
                                 const LutToLLVMPipelineOptions &options);

/// The whole `lut-to-llvm-pipeline`: lut-set-target, lut-model-signature,
/// lut-tile (with `tile`), convert-lut-to-linalg (with `ukernels`, keeping the
/// table and weightless ops for their kernels), linalg-generalize-named-ops, the optimizations of
/// `opt-level`, then buildLutBufferizePipeline and
/// buildLutLowerToLLVMPipeline.
void buildLutToLLVMPipeline(mlir::OpPassManager &pm,
                            const LutToLLVMPipelineOptions &options);

/// Options of `lut-hls-pipeline` (those of lut-hls-directives).
struct LutHlsPipelineOptions : public mlir::PassPipelineOptions<LutHlsPipelineOptions> {
  Option<std::string> device{*this, "device",
                             llvm::cl::desc("Device family whose budget bounds the directives "
                                            "(lut-hls-directives): xcu250, xcu280, xcvu9p, "
                                            "xczu9eg, xc7z020"),
                             llvm::cl::init("xcu250")};
  Option<int64_t> columnUnroll{
      *this, "column-unroll",
      llvm::cl::desc("Output columns per cycle of every lut.gather_sum (0: the largest that "
                     "fits the budget)"),
      llvm::cl::init(0)};
  Option<int64_t> pipelineII{*this, "pipeline-ii",
                             llvm::cl::desc("Initiation interval of every pipelined loop"),
                             llvm::cl::init(1)};
};

/// `lut-hls-pipeline`: from tensors with lut ops to the HLS level that
/// lut/HLS/EmitHLSCpp.h translates. lut-hls-outline-kernels (one function
/// per FFN and per lut op), convert-lut-to-linalg{keep-table-ops}
/// (lut.mlp to linalg), linalg-generalize-named-ops, cse,
/// lut-fuse-elementwise, lut-interchange-contractions, lut-materialize-results,
/// one-shot-bufferize (function boundaries, identity layouts),
/// buffer-results-to-out-params (static allocations hoisted),
/// convert-bufferization-to-memref, lut-hls-forward-results,
/// lut-memref-copy-to-linalg,
/// convert-linalg-to-affine-loops, canonicalize, cse, then
/// lut-hls-directives with `options`. No deallocation: every buffer is
/// static in HLS.
void buildLutHlsPipeline(mlir::OpPassManager &pm, const LutHlsPipelineOptions &options);

/// `lut-ffn-pipeline`: lut-detect-mlp on every function, then
/// lut-convert-mlp with `options`. When `provider` is set, calibration
/// pairs come from it (lutc's native runs) instead of `calibration-dir`,
/// and `reports` (when not null) receives one report per FFN.
void buildLutFfnPipeline(mlir::OpPassManager &pm,
                         const LutConvertMlpOptions &options,
                         CalibrationProvider provider = nullptr,
                         std::vector<FfnReport> *reports = nullptr);

/// Registers `lut-ffn-pipeline`, `lut-to-llvm-pipeline`,
/// `lut-bufferize-pipeline`, `lut-lower-to-llvm-pipeline` and
/// `lut-hls-pipeline` with MLIR's
/// pass registry (lut/InitAll.h registers them with every lut pass).
void registerLutPipelines();

} // namespace lut

#endif
