// RUN: lut-opt %s --lut-bufferize-pipeline | FileCheck %s

// Function boundaries bufferize with identity layouts, the result becomes a
// caller-provided out-param, and the temporary buffer is deallocated.
// CHECK-LABEL: func @main_graph
// CHECK-SAME: (%[[X:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x8xf32>)
// CHECK-NOT: -> memref
// CHECK: %[[T:.*]] = memref.alloc() {{.*}}: memref<4x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]] : memref<4x8xf32>) outs(%[[T]] : memref<4x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[T]] : memref<4x8xf32>) outs(%[[OUT]] : memref<4x8xf32>)
// CHECK: memref.dealloc %[[T]]
// CHECK: return
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main_graph(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.addf %v, %v : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}
