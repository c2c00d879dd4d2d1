// RUN: lut-opt %s --transform-interpreter --split-input-file | FileCheck %s

// TilingInterface: upstream SCF tiling applies to the lut ops. A gather_sum
// tile (n, m) reads rows n of the codes and columns m of the tables, bias and
// scales; the dynamic token count N stays dynamic.
// CHECK-LABEL: func @tile_gather_sum
// CHECK-SAME: (%[[C:.*]]: tensor<?x3xi8>, %[[T:.*]]: tensor<3x256x96xi8>, %[[B:.*]]: tensor<96xf32>, %[[S:.*]]: tensor<96xf32>, %[[I:.*]]: tensor<?x96xf32>)
// CHECK: scf.forall (%[[IV0:.*]], %[[IV1:.*]]) in (%{{.*}}, 3) shared_outs(%[[O:.*]] = %[[I]])
// CHECK: %[[N:.*]] = affine.apply #{{.*}}(%[[IV0]])
// CHECK: %[[M:.*]] = affine.apply #{{.*}}(%[[IV1]])
// CHECK-DAG: %[[CS:.*]] = tensor.extract_slice %[[C]][%[[N]], 0] [%{{.*}}, 3] [1, 1] : tensor<?x3xi8> to tensor<?x3xi8>
// CHECK-DAG: %[[TS:.*]] = tensor.extract_slice %[[T]][0, 0, %[[M]]] [3, 256, 32] [1, 1, 1] : tensor<3x256x96xi8> to tensor<3x256x32xi8>
// CHECK-DAG: %[[BS:.*]] = tensor.extract_slice %[[B]][%[[M]]] [32] [1] : tensor<96xf32> to tensor<32xf32>
// CHECK-DAG: %[[SS:.*]] = tensor.extract_slice %[[S]][%[[M]]] [32] [1] : tensor<96xf32> to tensor<32xf32>
// CHECK-DAG: %[[OS:.*]] = tensor.extract_slice %[[O]][%[[N]], %[[M]]] [%{{.*}}, 32] [1, 1] : tensor<?x96xf32> to tensor<?x32xf32>
// CHECK: %[[G:.*]] = lut.gather_sum %[[CS]], %[[TS]] bias %[[BS]] scales %[[SS]] outs(%[[OS]] : tensor<?x32xf32>)
// CHECK: tensor.parallel_insert_slice %[[G]] into %[[O]][%[[N]], %[[M]]] [%{{.*}}, 32] [1, 1]
func.func @tile_gather_sum(%c: tensor<?x3xi8>, %t: tensor<3x256x96xi8>, %b: tensor<96xf32>, %s: tensor<96xf32>, %i: tensor<?x96xf32>) -> tensor<?x96xf32> {
  %y = lut.gather_sum %c, %t bias %b scales %s outs(%i : tensor<?x96xf32>) : tensor<?x3xi8>, tensor<3x256x96xi8> bias tensor<96xf32> scales tensor<96xf32> -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["lut.gather_sum"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [8, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// An lsh_encode tile (n, h) reads rows n of x and the k columns of each of
// its tables from the projection and the bias.
// CHECK-LABEL: func @tile_lsh_encode
// CHECK: scf.forall (%[[IV0:.*]], %[[IV1:.*]]) in (4, 2)
// CHECK: %[[N:.*]] = affine.apply #{{.*}}(%[[IV0]])
// CHECK: %[[H:.*]] = affine.apply #{{.*}}(%[[IV1]])
// CHECK: tensor.extract_slice %{{.*}}[%[[N]], 0] [4, 8] [1, 1] : tensor<16x8xf32> to tensor<4x8xf32>
// CHECK: %[[HK:.*]] = affine.apply #[[TIMESK:.*]](%[[H]])
// CHECK: tensor.extract_slice %{{.*}}[0, %[[HK]]] [8, 12] [1, 1] : tensor<8x24xf32> to tensor<8x12xf32>
// CHECK: %[[HK2:.*]] = affine.apply #[[TIMESK]](%[[H]])
// CHECK: tensor.extract_slice %{{.*}}[%[[HK2]]] [12] [1] : tensor<24xf32> to tensor<12xf32>
// CHECK: lut.lsh_encode {{.*}} bits = 6 outs(%{{.*}} : tensor<4x2xi8>) : tensor<4x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<4x2xi8>
func.func @tile_lsh_encode(%x: tensor<16x8xf32>, %p: tensor<8x24xf32>, %b: tensor<24xf32>, %i: tensor<16x4xi8>) -> tensor<16x4xi8> {
  %c = lut.lsh_encode %x, %p bias %b bits = 6 outs(%i : tensor<16x4xi8>) : tensor<16x8xf32>, tensor<8x24xf32> bias tensor<24xf32> -> tensor<16x4xi8>
  return %c : tensor<16x4xi8>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["lut.lsh_encode"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [4, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
