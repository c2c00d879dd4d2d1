// RUN: lut-opt %s --split-input-file --lut-kernel-calls | FileCheck %s

// lut.thermometer and lut.lut on memrefs become one call each of the
// LutKernels C ABI (include/lut-c/Kernels.h): the bits are bytes (i1 or
// i8), the mapping's element type picks the m32 or m64 kernel.
// CHECK-LABEL: func.func @weightless
// CHECK-NOT: lut.
// CHECK: call @lutk_thermometer_f32(
// CHECK: call @lutk_lut_f32_m64(
// CHECK-DAG: func.func private @lutk_thermometer_f32(!llvm.ptr, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64)
// CHECK-DAG: func.func private @lutk_lut_f32_m64(!llvm.ptr, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64)
func.func @weightless(%x: memref<4x3xf32>, %t: memref<3x2xf32>, %bits: memref<4x6xi1>,
                      %map: memref<5x2xi64>, %tab: memref<5x4xf32>, %y: memref<4x5xf32>) {
  lut.thermometer %x, %t outs(%bits : memref<4x6xi1>) : memref<4x3xf32>, memref<3x2xf32>
  lut.lut %bits, %map, %tab outs(%y : memref<4x5xf32>) : memref<4x6xi1>, memref<5x2xi64>, memref<5x4xf32>
  return
}

// -----

// i32 mappings, i8 bits and a run-time token count.
// CHECK-LABEL: func.func @dynamic_i32
// CHECK: memref.extract_strided_metadata %arg0 : memref<?x6xi8>
// CHECK: call @lutk_lut_f32_m32(
func.func @dynamic_i32(%bits: memref<?x6xi8>, %map: memref<5x2xi32>, %tab: memref<5x4xf32>,
                       %y: memref<?x5xf32>) {
  lut.lut %bits, %map, %tab outs(%y : memref<?x5xf32>) : memref<?x6xi8>, memref<5x2xi32>, memref<5x4xf32>
  return
}

// -----

// Ops on tensors are left alone.
// CHECK-LABEL: func.func @tensors
// CHECK: lut.lut
// CHECK-NOT: call
func.func @tensors(%bits: tensor<4x6xi1>, %map: tensor<5x2xi64>, %tab: tensor<5x4xf32>,
                   %y: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = lut.lut %bits, %map, %tab outs(%y : tensor<4x5xf32>) : tensor<4x6xi1>, tensor<5x2xi64>, tensor<5x4xf32> -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}
