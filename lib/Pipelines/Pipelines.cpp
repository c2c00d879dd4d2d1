//===- Pipelines.cpp - lut-mlir's registered pass pipelines ---------------===//
#include "lut/Pipelines/Pipelines.h"

#include "lut/Codegen/Passes.h"
#include "lut/Conversion/Passes.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
#include "lut/HLS/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// lut-materialize-results, one-shot-bufferize across function boundaries
/// with identity layouts, and results as out-parameters (static
/// allocations hoisted; dynamic ones too with `hoistDynamic`).
static void addBufferizeToOutParams(OpPassManager &pm, bool hoistDynamic) {
  // Out-params need one distinct, written buffer per result.
  pm.addPass(lut::createLutMaterializeResults());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = hoistDynamic;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void lut::buildLutBufferizePipeline(OpPassManager &pm, const LutToLLVMPipelineOptions &o) {
  // Dynamic results too: the caller allocates them from the shapes that
  // lut-output-shapes computes, and the model writes into them directly.
  addBufferizeToOutParams(pm, /*hoistDynamic=*/true);
  bufferization::buildBufferDeallocationPipeline(pm);
  // Library calls, on memrefs.
  if (o.ukernels)
    pm.addPass(createLutKernelCalls());
  if (o.denseLibrary)
    pm.addPass(createLutDenseCalls());
}

void lut::buildLutLowerToLLVMPipeline(OpPassManager &pm, const LutToLLVMPipelineOptions &o) {
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createLutMemrefCopyToLinalg());
  if (o.optLevel >= 1)
    pm.addNestedPass<func::FuncOp>(createLutReassociateReductions());
  if (o.optLevel >= 1 && o.parallelLoops) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    pm.addPass(createLutOutlineParallelLoops());
  } else {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  }
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  if (o.optLevel >= 1) {
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (o.optLevel >= 1 && o.approximateMath)
    pm.addPass(createLutApproximateMath());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Buffers through _mlir_memref_to_llvm_alloc/_free, which LutKernels
  // implements with a per-thread cache (lib/Kernels/Alloc.cpp), so that
  // repeated runs reuse their memory instead of faulting it in again.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // math.ipowi (integer Pow) as a generated function; ctlz stays an LLVM
  // intrinsic.
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // Not arith-expand: it would also turn maximumf/minimumf into
  // compare-and-select chains, which LLVM does not vectorize as reductions.
  pm.addPass(createLutExpandArith());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  // A dynamic entry takes memref descriptors; everything else bare pointers.
  pm.addPass(createLutEntryToLLVM(LutEntryToLLVMOptions{o.entry}));
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createLutModelAbi(LutModelAbiOptions{o.entry}));
}

void lut::buildLutToLLVMPipeline(OpPassManager &pm, const LutToLLVMPipelineOptions &o) {
  pm.addPass(createLutSetTarget(LutSetTargetOptions{o.targetTriple, o.targetCpu, o.targetFeatures}));
  pm.addPass(createLutModelSignature(LutModelSignatureOptions{o.entry}));
  pm.addPass(createLutOutputShapes(LutOutputShapesOptions{o.entry}));
  if (o.tile)
    pm.addNestedPass<func::FuncOp>(createLutTile());
  pm.addPass(createConvertLutToLinalgPass(
      ConvertLutToLinalgPassOptions{/*keepTableOps=*/o.ukernels, /*keepWeightlessOps=*/o.ukernels}));
  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  if (o.optLevel >= 1) {
    pm.addPass(createCSEPass());
    pm.addNestedPass<func::FuncOp>(createLutFuseElementwise());
    pm.addNestedPass<func::FuncOp>(createLutInterchangeContractions());
  }
  buildLutBufferizePipeline(pm, o);
  buildLutLowerToLLVMPipeline(pm, o);
}

void lut::buildLutHlsPipeline(OpPassManager &pm, const LutHlsPipelineOptions &o) {
  pm.addPass(createLutHlsOutlineKernels());
  pm.addPass(createConvertLutToLinalgPass(ConvertLutToLinalgPassOptions{/*keepTableOps=*/true}));
  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createLutFuseElementwise());
  pm.addNestedPass<func::FuncOp>(createLutInterchangeContractions());
  addBufferizeToOutParams(pm, /*hoistDynamic=*/false);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createLutHlsForwardResults());
  pm.addNestedPass<func::FuncOp>(createLutMemrefCopyToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToAffineLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  LutHlsDirectivesOptions d;
  d.device = o.device;
  d.columnUnroll = o.columnUnroll;
  d.pipelineII = o.pipelineII;
  pm.addPass(createLutHlsDirectives(d));
}

void lut::buildLutFfnPipeline(OpPassManager &pm, const LutConvertMlpOptions &options,
                              CalibrationProvider provider, std::vector<FfnReport> *reports) {
  pm.addNestedPass<func::FuncOp>(createLutDetectMlp());
  if (provider)
    pm.addPass(createLutConvertMlpPass(options, std::move(provider), reports));
  else
    pm.addPass(createLutConvertMlp(options));
}

void lut::registerLutPipelines() {
  PassPipelineRegistration<LutToLLVMPipelineOptions>(
      "lut-to-llvm-pipeline",
      "lut-mlir's lowering from tensors (func + linalg/tensor/arith/math + lut) "
      "to the LLVM dialect with the model ABI",
      buildLutToLLVMPipeline);
  PassPipelineRegistration<LutToLLVMPipelineOptions>(
      "lut-bufferize-pipeline",
      "The bufferization stage of lut-to-llvm-pipeline: one-shot bufferization "
      "with identity layouts, results as out-params, deallocation",
      buildLutBufferizePipeline);
  PassPipelineRegistration<LutToLLVMPipelineOptions>(
      "lut-lower-to-llvm-pipeline",
      "The last stage of lut-to-llvm-pipeline: bufferized linalg to loops and "
      "the LLVM dialect, then the model ABI",
      buildLutLowerToLLVMPipeline);
  PassPipelineRegistration<LutHlsPipelineOptions>(
      "lut-hls-pipeline",
      "lut-mlir's lowering from tensors (with lut ops) to the HLS level: "
      "affine loops on static memrefs, lut ops on memrefs, HLS directive "
      "attributes (then lut-translate --emit-hls-cpp)",
      buildLutHlsPipeline);
  // lut-ffn-pipeline takes lut-convert-mlp's own options: parsed, printed
  // and documented by the pass, so they are defined once (Passes.td).
  registerPassPipeline(
      "lut-ffn-pipeline",
      "Detects the FFN blocks (lut-detect-mlp) and replaces them with fitted "
      "lookup-table ops; takes the options of --lut-convert-mlp",
      [](OpPassManager &pm, StringRef options,
         function_ref<LogicalResult(const Twine &)> errorHandler) -> LogicalResult {
        FailureOr<LutConvertMlpOptions> o = parseConvertMlpOptions(options, errorHandler);
        if (failed(o))
          return failure();
        buildLutFfnPipeline(pm, *o);
        return success();
      },
      // The options are listed under --lut-convert-mlp.
      [](function_ref<void(const mlir::detail::PassOptions &)>) {});
}
