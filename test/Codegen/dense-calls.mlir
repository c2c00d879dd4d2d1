// RUN: lut-opt %s --split-input-file --lut-dense-calls | FileCheck %s

// A zero-filled f32 matmul on memrefs becomes one lutd_batch_matmul_f32 call
// (include/lut-c/Dense.h): batch 1, M N K, then each operand's pointer,
// batch stride and leading dimension, then the flags; the fill is removed.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.fill
// CHECK-NOT: linalg.matmul
// CHECK: call @lutd_batch_matmul_f32(%c1_i64, %c8_i64, %c4_i64, %c16_i64, %{{.*}}, %c0_i64, %c16_i64{{.*}}, %{{.*}}, %c0_i64{{.*}}, %c4_i64{{.*}}, %{{.*}}, %c0_i64{{.*}}, %c4_i64{{.*}}, %c0_i32)
// CHECK: func.func private @lutd_batch_matmul_f32(i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, i32) -> i32
func.func @matmul(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<8x4xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  return
}

// -----

// batch_matmul folds its batch into the call, with each operand's batch
// stride in elements.
// CHECK-LABEL: func.func @batch_matmul
// CHECK: call @lutd_batch_matmul_f32(%c3_i64, %c8_i64, %c4_i64, %c16_i64, %{{.*}}, %c128_i64, %{{.*}}, %{{.*}}, %c64_i64, %{{.*}}, %{{.*}}, %c32_i64,
func.func @batch_matmul(%a: memref<3x8x16xf32>, %b: memref<3x16x4xf32>, %c: memref<3x8x4xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<3x8x4xf32>)
  linalg.batch_matmul ins(%a, %b : memref<3x8x16xf32>, memref<3x16x4xf32>) outs(%c : memref<3x8x4xf32>)
  return
}

// -----

// A product that accumulates into an output not zero-filled just before is
// left to the loop lowering.
// CHECK-LABEL: func.func @accumulate
// CHECK: linalg.matmul
// CHECK-NOT: call
func.func @accumulate(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  return
}
