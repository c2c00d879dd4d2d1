// RUN: lut-opt %s --split-input-file --lut-outline-parallel-loops | FileCheck %s
// RUN: lut-opt %s --split-input-file --lut-outline-parallel-loops=min-work=100000000 | FileCheck %s --check-prefix=HIGH
// RUN: lut-opt %s --split-input-file --lut-outline-parallel-loops=min-work=1000 | FileCheck %s --check-prefix=LOW

// An elementwise 2-d loop: the outer dimension is split over the threads,
// the inner one stays a loop in each item (LLVM vectorizes it). The memrefs
// travel in a stack context as their LLVM descriptors; the constant is
// recreated in the outlined function.
// CHECK-LABEL: func.func private @add_par(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: llvm.getelementptr %{{.*}}[0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: %[[D0:.*]] = llvm.load
// CHECK: %[[X:.*]] = builtin.unrealized_conversion_cast %[[D0]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<256x512xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:     memref.load %[[X]][%{{.*}}, %[[J]]]
// CHECK:     arith.addf %{{.*}}, %[[ONE]]
// CHECK:     memref.store
// CHECK: func.func @add(%[[A:.*]]: memref<256x512xf32>, %[[B:.*]]: memref<256x512xf32>)
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: %[[DA:.*]] = builtin.unrealized_conversion_cast %[[A]] : memref<256x512xf32> to !llvm.struct
// CHECK: llvm.store %[[DA]]
// CHECK: %[[ITEMS:.*]] = arith.constant 256 : i64
// CHECK: %[[FN:.*]] = constant @add_par : (!llvm.ptr, i64, i64) -> ()
// CHECK: call @lutk_parallel_for(%[[ITEMS]], %[[FN]], %[[CTX]])
// CHECK-NOT: scf.parallel
// CHECK: return
// CHECK: func.func private @lutk_parallel_for(i64, (!llvm.ptr, i64, i64) -> (), !llvm.ptr)
// HIGH-LABEL: func.func @add(
// HIGH: scf.parallel
// HIGH-NOT: lutk_parallel_for
func.func @add(%a: memref<256x512xf32>, %b: memref<256x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c512) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<256x512xf32>
    %s = arith.addf %v, %one : f32
    memref.store %s, %b[%i, %j] : memref<256x512xf32>
    scf.reduce
  }
  return
}

// -----

// A row reduction (a loop in the body): every parallel dimension is split,
// linearized row-major, and delinearized in the outlined function.
// CHECK-LABEL: func.func private @rowsum_par(
// CHECK: scf.for %[[ITEM:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   %[[J:.*]] = arith.remui %[[ITEM]], %{{.*}} : index
// CHECK:   %[[I:.*]] = arith.divui %[[ITEM]], %{{.*}} : index
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: func.func @rowsum(
// CHECK: %[[ITEMS:.*]] = arith.constant 384 : i64
// CHECK: call @lutk_parallel_for(%[[ITEMS]],
func.func @rowsum(%x: memref<12x32x768xf32>, %y: memref<12x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c12 = arith.constant 12 : index
  %c32 = arith.constant 32 : index
  %c768 = arith.constant 768 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c12, %c32) step (%c1, %c1) {
    %s = scf.for %k = %c0 to %c768 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %j, %k] : memref<12x32x768xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %s, %y[%i, %j] : memref<12x32xf32>
    scf.reduce
  }
  return
}

// -----

// A dynamic bound counts as 1024 iterations in the estimate: 3 ops each is
// below the default min-work. Outlined, the bound and a scalar from above
// travel in the context as i64 and f32, and the item count is computed at
// run time.
// CHECK-LABEL: func.func @scale(
// CHECK: scf.parallel
// LOW-LABEL: func.func private @scale_par(
// LOW: %[[S:.*]] = llvm.load %{{.*}} : !llvm.ptr -> f32
// LOW: %[[N64:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// LOW: %[[N:.*]] = arith.index_cast %[[N64]] : i64 to index
// LOW: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// LOW: arith.mulf %{{.*}}, %[[S]]
// LOW: func.func @scale(%[[X:.*]]: memref<?xf32>, %{{.*}}: f32)
// LOW: %[[DIM:.*]] = memref.dim %[[X]]
// LOW: arith.ceildivsi
// LOW: call @lutk_parallel_for
func.func @scale(%x: memref<?xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<?xf32>
    %m = arith.mulf %v, %s : f32
    memref.store %m, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// Too little work (4 x 8 elements): the loop stays on the calling thread,
// even at min-work=1000.
// CHECK-LABEL: func.func @small(
// CHECK: scf.parallel
// CHECK-NOT: lutk_parallel_for
// LOW-LABEL: func.func @small(
// LOW: scf.parallel
// LOW-NOT: lutk_parallel_for
func.func @small(%a: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    memref.store %one, %a[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  return
}

