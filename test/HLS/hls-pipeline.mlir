// lut-hls-pipeline: from tensors with lut ops to the HLS level. The FFN
// (lsh_encode -> gather_sum) is outlined into ffn0, ffn0_encode and
// ffn0_gather_sum; the padded table constant is sliced to its real columns;
// everything is bufferized to static memrefs with results as
// out-parameters and lowered to affine loops; lut-hls-directives adds the
// directive attributes.
// RUN: lut-opt %s --lut-hls-pipeline | FileCheck %s
// RUN: lut-opt %s --lut-hls-pipeline=device=xc7z020 | FileCheck %s --check-prefix=SMALL
// RUN: lut-opt %s --lut-hls-pipeline=column-unroll=2 | FileCheck %s --check-prefix=U2

// CHECK-DAG: memref.global "private" constant @[[TAB:.*]] : memref<2x4x4xi8> = dense<{{.*}}> {alignment = 64 : i64, lut.hls_partition = [{dim = 1 : i64, pragma = "partition", type = "complete"}, {dim = 3 : i64, factor = 4 : i64, pragma = "reshape", type = "cyclic"}], lut.hls_storage = "rom_2p:lutram"}
// CHECK-DAG: memref.global "private" constant @[[PROJ:.*]] : memref<8x4xf32> = dense<{{.*}}> {alignment = 64 : i64, lut.hls_partition = [{dim = 1 : i64, pragma = "partition", type = "complete"}], lut.hls_storage = "rom_2p:lutram"}

// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME: %[[X:.*]]: memref<4x8xf32> {lut.hls_bundle = "gmem0", lut.hls_interface = "m_axi", lut.name = "tokens"}
// CHECK-SAME: %[[OUT:.*]]: memref<4x4xf32> {lut.hls_bundle = "gmem1", lut.hls_interface = "m_axi"}
// CHECK-SAME: attributes {lut.hls_arg_names = ["tokens", "out0"], lut.hls_results = 1 : i64, lut.hls_top}
// CHECK: call @ffn0(%[[X]], %{{.*}})
// CHECK: affine.for
// CHECK: affine.for
// CHECK: arith.addf
// CHECK: } {lut.hls_pipeline_ii = 1 : i64}

// CHECK-LABEL: func.func @ffn0_gather_sum(
// CHECK-SAME: memref<4x2xi8>
// CHECK-SAME: memref<4x4xf32>
// CHECK-SAME: attributes {lut.hls_arg_names = ["codes", "y"], lut.hls_kernel = "gather_sum", lut.hls_results = 1 : i64, lut.hls_top}
// CHECK: %[[T:.*]] = memref.get_global @[[TAB]] : memref<2x4x4xi8>
// CHECK: lut.gather_sum %{{.*}}, %[[T]] bias %{{.*}} scales %{{.*}} outs(%{{.*}} : memref<4x4xf32>) {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 4 : i64}

// CHECK-LABEL: func.func @ffn0_encode(
// CHECK-SAME: attributes {lut.hls_arg_names = ["x", "codes"], lut.hls_kernel = "lsh_encode", lut.hls_results = 1 : i64, lut.hls_top}
// CHECK: lut.lsh_encode {{.*}} bits = 2 outs(%{{.*}} : memref<4x2xi8>) {lut.hls_pipeline_ii = 1 : i64}

// The FFN: one buffer between two calls, the result written in place.
// CHECK-LABEL: func.func @ffn0(
// CHECK-SAME: %[[FX:.*]]: memref<4x8xf32> {lut.hls_bundle = "gmem0", lut.hls_interface = "m_axi"}, %[[FY:.*]]: memref<4x4xf32>
// CHECK-SAME: attributes {lut.hls_arg_names = ["x", "y"], lut.hls_dataflow, lut.hls_kernel = "ffn", lut.hls_results = 1 : i64, lut.hls_top}
// CHECK-NEXT: %[[CODES:.*]] = memref.alloc() : memref<4x2xi8>
// CHECK-NEXT: call @ffn0_encode(%[[FX]], %[[CODES]])
// CHECK-NEXT: call @ffn0_gather_sum(%[[CODES]], %[[FY]])
// CHECK-NEXT: return

// On the smallest device the gather still reads all tables per cycle, and
// its columns fit; the budget only bounds larger tables.
// SMALL: lut.gather_sum {{.*}} {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 4 : i64}
// U2: lut.hls_partition = [{dim = 1 : i64, pragma = "partition", type = "complete"}, {dim = 3 : i64, factor = 2 : i64, pragma = "reshape", type = "cyclic"}]
// U2: lut.gather_sum {{.*}} {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 2 : i64}

func.func @main_graph(%x: tensor<4x8xf32> {lut.name = "tokens"}) -> tensor<4x4xf32> {
  %p = arith.constant dense<[[0.346, 0.822, 0.33, -1.303], [0.905, 0.446, -0.537, 0.581], [0.365, 0.294, 0.028, 0.547], [-0.736, -0.163, -0.482, 0.599], [0.04, -0.292, -0.782, -0.257], [0.008, -0.276, 1.294, 1.007], [-2.711, -1.889, -0.175, -0.422], [0.214, 0.217, 2.118, -1.112]]> : tensor<8x4xf32>
  %pb = arith.constant dense<[0.5, -0.25, 0.125, 0.0]> : tensor<4xf32>
  %init = tensor.empty() : tensor<4x2xi8>
  %c = lut.lsh_encode %x, %p bias %pb bits = 2 outs(%init : tensor<4x2xi8>) : tensor<4x8xf32>, tensor<8x4xf32> bias tensor<4xf32> -> tensor<4x2xi8>
  %padded = arith.constant dense<[[[-9, 55, -28, 22, 54, 83, -15, -93], [43, 5, 74, -9, -27, -88, -9, 28], [54, 70, -58, 18, 60, -48, -32, 67], [16, 1, 34, 2, 96, 50, -90, -71]], [[9, 63, -87, 36, 51, 57, 74, -62], [11, 60, -29, -62, -5, -84, -57, 71], [33, 72, 68, 75, -38, -6, 23, -46], [83, -99, 67, 29, -50, 43, -18, 67]]]> : tensor<2x4x8xi8>
  %t = tensor.extract_slice %padded[0, 0, 0] [2, 4, 4] [1, 1, 1] : tensor<2x4x8xi8> to tensor<2x4x4xi8>
  %s = arith.constant dense<[0.5, 0.25, 1.0, 2.0]> : tensor<4xf32>
  %b = arith.constant dense<[1.0, 0.0, -1.0, 3.0]> : tensor<4xf32>
  %init2 = tensor.empty() : tensor<4x4xf32>
  %y = lut.gather_sum %c, %t bias %b scales %s outs(%init2 : tensor<4x4xf32>) : tensor<4x2xi8>, tensor<2x4x4xi8> bias tensor<4xf32> scales tensor<4xf32> -> tensor<4x4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.add ins(%y, %y : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %z : tensor<4x4xf32>
}
