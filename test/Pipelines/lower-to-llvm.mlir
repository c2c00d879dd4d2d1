// RUN: lut-opt %s --lut-lower-to-llvm-pipeline | FileCheck %s
// RUN: lut-opt %s --lut-lower-to-llvm-pipeline | lut-translate --lut-to-llvmir -O0 | FileCheck %s --check-prefix=LLVMIR

// Bufferized linalg becomes loops in the LLVM dialect (no call into MLIR's C
// runner library for the strided copy), and the ABI wraps the entry.
// CHECK-NOT: memref.
// CHECK-NOT: linalg.
// CHECK-NOT: memrefCopy
// CHECK-LABEL: llvm.func internal @main_graph(%arg0: !llvm.ptr, %arg1: !llvm.ptr)
// CHECK: llvm.fadd
// CHECK-LABEL: llvm.func @lut_model_run
// CHECK-LABEL: llvm.func @lut_model_signature

// LLVMIR: define internal void @main_graph(ptr %0, ptr %1)
// LLVMIR: define i32 @lut_model_run(ptr %0, ptr %1)
// LLVMIR: define ptr @lut_model_signature()
func.func @main_graph(%x: memref<4x8xf32>, %out: memref<4x4xf32>) attributes {lut.signature = "lut-model v1\0Ainput 0 float 4,8 x\0Aoutput 0 float 4,4 y\0A"} {
  %v = memref.subview %x[0, 0] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  memref.copy %v, %out : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%out : memref<4x4xf32>) {
  ^bb0(%o: f32):
    %r = arith.addf %o, %o : f32
    linalg.yield %r : f32
  }
  return
}
