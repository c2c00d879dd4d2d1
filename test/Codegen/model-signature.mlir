// RUN: lut-opt %s --split-input-file --verify-diagnostics --lut-model-signature | FileCheck %s

// CHECK-LABEL: func @main_graph
// CHECK-SAME: (%arg0: tensor<2x3xf32>, %arg1: tensor<i64>) -> tensor<2x3xi8>
// CHECK-SAME: lut.signature = "lut-model v1\0Atarget unknown generic -\0Ainput 0 float 2,3 x\0Ainput 1 int64 scalar n\0Aoutput 0 uint8 2,3 y?z\0A"
// CHECK-NOT: lut.name
// CHECK-NOT: lut.dtype
func.func @main_graph(%x: tensor<2x3xf32> {lut.name = "x", lut.dtype = "float"}, %n: tensor<i64> {lut.name = "n"})
    -> (tensor<2x3xi8> {lut.name = "y\0Az", lut.dtype = "uint8"}) {
  %e = tensor.empty() : tensor<2x3xi8>
  return %e : tensor<2x3xi8>
}

// -----

// expected-error @+1 {{lut-model-signature: no function 'main_graph' in the module}}
module {
  func.func @other() {
    return
  }
}

// -----

// Dynamic dims: `?` and the lut.dim_names name (other characters as `_`).
// CHECK-LABEL: func @main_graph
// CHECK-SAME: lut.signature = "lut-model v1\0Atarget unknown generic -\0Ainput 0 float ?batch_size,3,? x\0Aoutput 0 float ?,3 y\0A"
// CHECK-NOT: lut.dim_names
func.func @main_graph(%x: tensor<?x3x?xf32> {lut.name = "x", lut.dim_names = ["batch size", "", ""]})
    -> (tensor<?x3xf32> {lut.name = "y"}) {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x3x?xf32>
  %e = tensor.empty(%d) : tensor<?x3xf32>
  return %e : tensor<?x3xf32>
}

// -----

// expected-error @+1 {{input #0 of 'main_graph' must be a ranked tensor, got 'tensor<*xf32>'}}
func.func @main_graph(%x: tensor<*xf32>) -> tensor<2xf32> {
  %e = tensor.empty() : tensor<2xf32>
  return %e : tensor<2xf32>
}

// -----

// Empty tensors are allowed (ONNX has them, e.g. a Split part of size 0).
// CHECK-LABEL: func @main_graph
// CHECK-SAME: output 0 float 0,3
func.func @main_graph(%x: tensor<2x3xf32>) -> tensor<0x3xf32> {
  %e = tensor.empty() : tensor<0x3xf32>
  return %e : tensor<0x3xf32>
}

// -----

// expected-error @+1 {{input #0 has an element type with no ONNX equivalent: 'complex<f32>'}}
func.func @main_graph(%x: tensor<2xcomplex<f32>>) -> tensor<2xf32> {
  %e = tensor.empty() : tensor<2xf32>
  return %e : tensor<2xf32>
}

// -----

// expected-error @+1 {{input #0 has lut.dtype "int64", which does not match its element type 'f32'}}
func.func @main_graph(%x: tensor<2xf32> {lut.dtype = "int64"}) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// expected-error @+1 {{'main_graph' has no results; a compiled model needs at least one output}}
func.func @main_graph(%x: tensor<2xf32>) {
  return
}

// -----

// The module's target attributes become the `target` record: enabled
// features only, without their '+'.
module attributes {llvm.target_triple = "x86_64-unknown-linux-gnu", lut.target_cpu = "znver4", lut.target_features = "+avx2,-avx512fp16,+fma"} {
// CHECK-LABEL: func @main_graph()
// CHECK-SAME: lut.signature = "lut-model v1\0Atarget x86_64-unknown-linux-gnu znver4 avx2,fma\0Aoutput 0 float 2 y\0A"
func.func @main_graph() -> (tensor<2xf32> {lut.name = "y"}) {
  %e = tensor.empty() : tensor<2xf32>
  return %e : tensor<2xf32>
}
}
