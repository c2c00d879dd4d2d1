// RUN: lut-opt %s --lut-to-llvm-pipeline='target-triple=x86_64-unknown-linux-gnu target-cpu=x86-64-v3' | FileCheck %s
// RUN: lut-opt %s --lut-to-llvm-pipeline='opt-level=0' --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=O0
// RUN: lut-opt %s --lut-to-llvm-pipeline='opt-level=1' --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=O1
// RUN: not lut-opt %s --lut-to-llvm-pipeline='entry=nope' -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENTRY

// The whole lowering of a module with lut ops, from tensors to the LLVM
// dialect, with the target recorded for lut-translate.
// CHECK: module attributes {llvm.target_triple = "x86_64-unknown-linux-gnu", lut.target_cpu = "x86-64-v3", lut.target_features = "{{[^"]*}}+avx2{{[^"]*}}"}
// CHECK-NOT: lut.gather_sum
// CHECK-NOT: lut.lsh_encode
// CHECK-LABEL: llvm.func internal @main_graph
// CHECK-LABEL: llvm.func @lut_model_run
// CHECK: llvm.mlir.global private constant @lut_model_signature_text("lut-model v1\0Atarget x86_64-unknown-linux-gnu x86-64-v3 {{([a-z0-9.-]+,)*}}avx2,{{[^\\]*}}\0Ainput 0 float 4,8 x\0Aoutput 0 float 4,16 y\0A\00")

// -O0 runs only what the lowering needs; -O1 adds the loop order, CSE and
// canonicalization.
// O0: IR Dump After LinalgGeneralizeNamedOpsPass
// O0-NOT: IR Dump After CSE
// O0-NOT: LutInterchangeContractions
// O0: IR Dump After OneShotBufferizePass
// O0: IR Dump After SCFToControlFlowPass
// O0-NOT: IR Dump After Canonicalizer
// O0: IR Dump After ExpandStridedMetadataPass
// O0: IR Dump After LutModelAbi
// O1: IR Dump After LinalgGeneralizeNamedOpsPass
// O1: IR Dump After CSE
// O1: IR Dump After LutInterchangeContractions
// O1: IR Dump After OneShotBufferizePass
// O1: IR Dump After BufferResultsToOutParamsPass
// O1: IR Dump After OwnershipBasedBufferDeallocationPass
// O1: IR Dump After LutMemrefCopyToLinalg
// O1: IR Dump After SCFToControlFlowPass
// O1: IR Dump After Canonicalizer
// O1: IR Dump After CSE
// O1: IR Dump After ConvertFuncToLLVMPass
// O1: IR Dump After LutModelAbi

// ENTRY: error: lut-model-signature: no function 'nope' in the module
func.func @main_graph(%x: tensor<4x8xf32> {lut.name = "x", lut.dtype = "float"}) -> (tensor<4x16xf32> {lut.name = "y", lut.dtype = "float"}) {
  %p = arith.constant dense<1.0> : tensor<8x6xf32>
  %init5 = tensor.empty() : tensor<4x2xi32>
  %codes = lut.lsh_encode %x, %p bits = 3 outs(%init5 : tensor<4x2xi32>) : tensor<4x8xf32>, tensor<8x6xf32> -> tensor<4x2xi32>
  %t = arith.constant dense<0.5> : tensor<2x8x16xf32>
  %init6 = tensor.empty() : tensor<4x16xf32>
  %y = lut.gather_sum %codes, %t outs(%init6 : tensor<4x16xf32>) : tensor<4x2xi32>, tensor<2x8x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
