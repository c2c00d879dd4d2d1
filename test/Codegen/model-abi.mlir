// RUN: lut-opt %s --split-input-file --verify-diagnostics --lut-model-abi | FileCheck %s

// CHECK-LABEL: llvm.func internal @main_graph
// CHECK-NOT: lut.signature
// CHECK-LABEL: llvm.func @lut_model_run(%arg0: !llvm.ptr, %arg1: !llvm.ptr) -> i32
// CHECK: %[[S0:.*]] = llvm.getelementptr inbounds %arg0[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[I0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr inbounds %arg1[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[O0:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @main_graph(%[[I0]], %[[O0]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK: llvm.return %{{.*}} : i32
// CHECK: llvm.mlir.global private constant @lut_model_signature_text("lut-model v1\0Ainput 0 float 4 x\0Aoutput 0 float 4 y\0A\00")
// CHECK-LABEL: llvm.func @lut_model_signature() -> !llvm.ptr
// CHECK: llvm.mlir.addressof @lut_model_signature_text
llvm.func @main_graph(%x: !llvm.ptr, %y: !llvm.ptr) attributes {lut.signature = "lut-model v1\0Ainput 0 float 4 x\0Aoutput 0 float 4 y\0A"} {
  llvm.return
}

// -----

// expected-error @+1 {{lut-model-abi: no llvm.func 'main_graph'}}
module {
  func.func @main_graph() {
    return
  }
}

// -----

// expected-error @+1 {{lut-model-abi: 'main_graph' has no 'lut.signature' attribute}}
llvm.func @main_graph(%x: !llvm.ptr) {
  llvm.return
}

// -----

// expected-error @+1 {{lut-model-abi: the signature has 2 tensors but 'main_graph' takes 1 pointers}}
llvm.func @main_graph(%x: !llvm.ptr) attributes {lut.signature = "lut-model v1\0Ainput 0 float 4 x\0Aoutput 0 float 4 y\0A"} {
  llvm.return
}

// -----

// expected-error @+1 {{lut-model-abi: 'main_graph' takes 'i64'; the model ABI needs pointer arguments}}
llvm.func @main_graph(%x: i64) attributes {lut.signature = "lut-model v1\0Ainput 0 int64 scalar x\0A"} {
  llvm.return
}
