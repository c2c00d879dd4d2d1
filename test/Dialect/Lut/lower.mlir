// RUN: lut-opt %s --lut-lower | FileCheck %s
// RUN: lut-opt %s --lut-lower --one-shot-bufferize="bufferize-function-boundaries" -o /dev/null

// CHECK-DAG: #[[Z:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// CHECK-LABEL: func @mlp_inlined
// CHECK-NOT: lut.mlp
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.*]] = linalg.exp ins(%arg0 : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK: return %[[R]]
func.func @mlp_inlined(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = lut.mlp "blocks.0.mlp" (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    %e = tensor.empty() : tensor<4x8xf32>
    %r = linalg.exp ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    lut.yield %r : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// CHECK-LABEL: func @lsh
// CHECK: %[[Z0:.*]] = linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x12xf32>)
// CHECK: %[[Z3:.*]] = tensor.expand_shape %[[Z0]] {{\[}}[0], [1, 2]] output_shape [4, 3, 4] : tensor<4x12xf32> into tensor<4x3x4xf32>
// CHECK: %[[B2:.*]] = tensor.expand_shape %arg2 {{\[}}[0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[Z]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Z3]], %[[B2]] : tensor<4x3x4xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<4x3xi32>)
// CHECK: arith.addf
// CHECK: arith.cmpf ogt
// CHECK: arith.shli
// CHECK: arith.select
// CHECK: arith.ori
func.func @lsh(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>) -> tensor<4x3xi32> {
  %c = lut.lsh_encode %x, %p bias %b bits = 4 : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12xf32>) -> tensor<4x3xi32>
  return %c : tensor<4x3xi32>
}

// CHECK-LABEL: func @gs_i8
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg3 : tensor<5xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0, %arg2 : tensor<4x3xi32>, tensor<4x3xf32>)
// CHECK: %[[T:.*]] = tensor.extract %arg1[{{.*}}] : tensor<3x16x5xi8>
// CHECK: %[[F:.*]] = arith.sitofp %[[T]] : i8 to f32
// CHECK: %[[S:.*]] = tensor.extract %arg4[{{.*}}] : tensor<3x5xf32>
// CHECK: arith.mulf %[[F]], %[[S]]
func.func @gs_i8(%c: tensor<4x3xi32>, %q: tensor<3x16x5xi8>, %w: tensor<4x3xf32>, %b: tensor<5xf32>, %s: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %0 = lut.gather_sum %c, %q weights %w bias %b scales %s : (tensor<4x3xi32>, tensor<3x16x5xi8>, tensor<4x3xf32>, tensor<5xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// CHECK-LABEL: func @gs_f16
// CHECK: linalg.fill
// CHECK: tensor.extract %arg1
// CHECK: arith.extf {{.*}} : f16 to f32
func.func @gs_f16(%c: tensor<4x3xi16>, %h: tensor<3x16x5xf16>) -> tensor<4x5xf32> {
  %0 = lut.gather_sum %c, %h : (tensor<4x3xi16>, tensor<3x16x5xf16>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
