// RUN: lut-opt %s --lut-materialize-results | FileCheck %s

// CHECK-LABEL: func @results
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[N:.*]]: tensor<?xf32>)
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: %[[C:.*]] = arith.constant dense<{{.*}}> : tensor<3xf32>
// A second return of %r gets a copy.
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[R2:.*]] = linalg.copy ins(%[[R]] : tensor<4xf32>) outs(%[[E1]] : tensor<4xf32>)
// An argument gets a copy.
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[X2:.*]] = linalg.copy ins(%[[X]] : tensor<4xf32>) outs(%[[E2]] : tensor<4xf32>)
// A constant gets a copy.
// CHECK: %[[E3:.*]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[C2:.*]] = linalg.copy ins(%[[C]] : tensor<3xf32>) outs(%[[E3]] : tensor<3xf32>)
// A dynamic argument: the copy's size comes from tensor.dim.
// CHECK: %[[D:.*]] = tensor.dim %[[N]], %{{.*}} : tensor<?xf32>
// CHECK: %[[E4:.*]] = tensor.empty(%[[D]]) : tensor<?xf32>
// CHECK: %[[N2:.*]] = linalg.copy ins(%[[N]] : tensor<?xf32>) outs(%[[E4]] : tensor<?xf32>)
// CHECK: return %[[R]], %[[R2]], %[[X2]], %[[C2]], %[[N2]]
func.func @results(%x: tensor<4xf32>, %n: tensor<?xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<?xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %c = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  return %r, %r, %x, %c, %n : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<?xf32>
}

// A function whose results are fresh values is left alone.
// CHECK-LABEL: func @fresh
// CHECK-NOT: linalg.copy
// CHECK: return
func.func @fresh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
