// RUN: lut-opt %s --split-input-file --verify-diagnostics --lut-kernel-calls | FileCheck %s

// lut.lsh_encode and lut.gather_sum on memrefs become one call each of the
// LutKernels C ABI (include/lut-c/Kernels.h): pointers to the first
// elements, sizes and row strides in elements; the callee's name says the
// table and code types.
// CHECK-LABEL: func.func @calls
// CHECK-NOT: lut.
// CHECK: call @lutk_lsh_encode_f32_u8(
// CHECK: call @lutk_gather_sum_f32_u8(
// CHECK-DAG: func.func private @lutk_lsh_encode_f32_u8(!llvm.ptr, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64)
// CHECK-DAG: func.func private @lutk_gather_sum_f32_u8(!llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64)
func.func @calls(%x: memref<4x8xf32>, %p: memref<8x16xf32>, %t: memref<2x256x5xf32>, %c: memref<4x2xi8>, %y: memref<4x5xf32>) {
  lut.lsh_encode %x, %p bits = 8 outs(%c : memref<4x2xi8>) : memref<4x8xf32>, memref<8x16xf32>
  lut.gather_sum %c, %t outs(%y : memref<4x5xf32>) : memref<4x2xi8>, memref<2x256x5xf32>
  return
}

// -----

// A run-time token count N (dynamic dim 0) is read from the memref's sizes;
// i16 codes select the u16 kernel.
// CHECK-LABEL: func.func @dynamic_tokens
// CHECK: memref.extract_strided_metadata %arg0 : memref<?x2xi16>
// CHECK: arith.index_cast %sizes#0 : index to i64
// CHECK: call @lutk_gather_sum_f32_u16(
func.func @dynamic_tokens(%c: memref<?x2xi16>, %t: memref<2x256x5xf32>, %y: memref<?x5xf32>) {
  lut.gather_sum %c, %t outs(%y : memref<?x5xf32>) : memref<?x2xi16>, memref<2x256x5xf32>
  return
}

// -----

// Ops on tensors are left alone (they are lowered after bufferization).
// CHECK-LABEL: func.func @tensors
// CHECK: lut.gather_sum
// CHECK-NOT: call
func.func @tensors(%c: tensor<4x2xi8>, %t: tensor<2x256x5xf32>) -> tensor<4x5xf32> {
  %e = tensor.empty() : tensor<4x5xf32>
  %y = lut.gather_sum %c, %t outs(%e : tensor<4x5xf32>) : tensor<4x2xi8>, tensor<2x256x5xf32> -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

// The kernels need rows contiguous in their innermost dimension.
func.func @strided(%x: memref<4x8xf32, strided<[1, 4]>>, %p: memref<8x16xf32>, %c: memref<4x2xi8>) {
  // expected-error @+1 {{lut-kernel-calls: operand #0 ('memref<4x8xf32, strided<[1, 4]>>') is not contiguous in its innermost dimension}}
  lut.lsh_encode %x, %p bits = 8 outs(%c : memref<4x2xi8>) : memref<4x8xf32, strided<[1, 4]>>, memref<8x16xf32>
  return
}
