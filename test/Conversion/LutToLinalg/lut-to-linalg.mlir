// RUN: lut-opt %s --convert-lut-to-linalg | FileCheck %s
// The pass runs on any op: nested on functions it gives the same IR.
// RUN: lut-opt %s --pass-pipeline="builtin.module(func.func(convert-lut-to-linalg))" | FileCheck %s
// No lut op is left, and the result bufferizes.
// RUN: lut-opt %s --convert-lut-to-linalg | FileCheck %s --check-prefix=NOLUT
// RUN: lut-opt %s --convert-lut-to-linalg --one-shot-bufferize="bufferize-function-boundaries" -o /dev/null

// NOLUT-NOT: lut.

// CHECK-DAG: #[[MAP_NHJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MAP_HJ:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MAP_NH:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[MAP_NM:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MAP_COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[MAP_ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>

// lut.mlp: the body replaces the op.
// CHECK-LABEL: func @mlp_inlined
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.exp ins(%[[X]] : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK-NEXT: return %[[R]]
func.func @mlp_inlined(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = lut.mlp "blocks.0.mlp" (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
      attributes {activation = "gelu", d_ff = 16 : i64, d_model = 8 : i64, d_out = 8 : i64} {
  ^bb0(%a: tensor<4x8xf32>):
    %e = tensor.empty() : tensor<4x8xf32>
    %r = linalg.exp ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    lut.yield %r : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// Yielded block arguments become the matching operands.
// CHECK-LABEL: func @mlp_passthrough
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Z:.*]]: tensor<2xf32>)
// CHECK-NEXT: return %[[Z]], %[[X]] : tensor<2xf32>, tensor<4x8xf32>
func.func @mlp_passthrough(%x: tensor<4x8xf32>, %z: tensor<2xf32>) -> (tensor<2xf32>, tensor<4x8xf32>) {
  %y:2 = lut.mlp "p" (%x, %z) : (tensor<4x8xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x8xf32>) {
  ^bb0(%a: tensor<4x8xf32>, %b: tensor<2xf32>):
    lut.yield %b, %a : tensor<2xf32>, tensor<4x8xf32>
  }
  return %y#0, %y#1 : tensor<2xf32>, tensor<4x8xf32>
}

// lut ops inside a lut.mlp body are lowered too.
// CHECK-LABEL: func @mlp_with_lut_ops
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[P:.*]]: tensor<8x12xf32>, %[[T:.*]]: tensor<3x16x5xf32>)
// CHECK: linalg.matmul ins(%[[X]], %[[P]] : tensor<4x8xf32>, tensor<8x12xf32>)
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[MAP_NHJ]], #[[MAP_NH]]]
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[MAP_NH]], #[[MAP_NM]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[C]] : tensor<4x3xi32>)
// CHECK: tensor.extract %[[T]]
// CHECK: return %[[Y]]
func.func @mlp_with_lut_ops(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>, %t: tensor<3x16x5xf32>) -> tensor<4x5xf32> {
  %y = lut.mlp "blocks.1.mlp" (%x, %p, %t) : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<3x16x5xf32>) -> tensor<4x5xf32> {
  ^bb0(%a: tensor<4x8xf32>, %q: tensor<8x12xf32>, %u: tensor<3x16x5xf32>):
    %init30 = tensor.empty() : tensor<4x3xi32>
    %c = lut.lsh_encode %a, %q bits = 4 outs(%init30 : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<8x12xf32> -> tensor<4x3xi32>
    %init31 = tensor.empty() : tensor<4x5xf32>
    %g = lut.gather_sum %c, %u outs(%init31 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> -> tensor<4x5xf32>
    lut.yield %g : tensor<4x5xf32>
  }
  return %y : tensor<4x5xf32>
}

// lut.lsh_encode with a bias: matmul, then bit packing over (n, h, j).
// CHECK-LABEL: func @lsh
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[P:.*]]: tensor<8x12xf32>, %[[B:.*]]: tensor<12xf32>)
// CHECK: %[[CE:.*]] = tensor.empty() : tensor<4x3xi32>
// CHECK: %[[ZE:.*]] = tensor.empty() : tensor<4x12xf32>
// CHECK: %[[F0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ZI:.*]] = linalg.fill ins(%[[F0]] : f32) outs(%[[ZE]] : tensor<4x12xf32>)
// CHECK: %[[Z:.*]] = linalg.matmul ins(%[[X]], %[[P]] : tensor<4x8xf32>, tensor<8x12xf32>) outs(%[[ZI]] : tensor<4x12xf32>)
// CHECK: %[[I0:.*]] = arith.constant 0 : i32
// CHECK: %[[CI:.*]] = linalg.fill ins(%[[I0]] : i32) outs(%[[CE]] : tensor<4x3xi32>)
// CHECK: %[[Z3:.*]] = tensor.expand_shape %[[Z]] {{\[}}[0], [1, 2]] output_shape [4, 3, 4] : tensor<4x12xf32> into tensor<4x3x4xf32>
// CHECK: %[[B2:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
// CHECK: %[[CODES:.*]] = linalg.generic {indexing_maps = [#[[MAP_NHJ]], #[[MAP_HJ]], #[[MAP_NH]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Z3]], %[[B2]] : tensor<4x3x4xf32>, tensor<3x4xf32>) outs(%[[CI]] : tensor<4x3xi32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[BV:.*]]: f32, %[[ACC:.*]]: i32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[V]], %[[BV]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[S]], %[[ZERO]] : f32
// CHECK-NEXT: %[[J:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[J32:.*]] = arith.index_cast %[[J]] : index to i32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[NIL:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[BIT:.*]] = arith.shli %[[ONE]], %[[J32]] : i32
// CHECK-NEXT: %[[SEL:.*]] = arith.select %[[POS]], %[[BIT]], %[[NIL]] : i32
// CHECK-NEXT: %[[OR:.*]] = arith.ori %[[ACC]], %[[SEL]] : i32
// CHECK-NEXT: linalg.yield %[[OR]] : i32
// CHECK-NEXT: } -> tensor<4x3xi32>
// CHECK-NEXT: return %[[CODES]]
func.func @lsh(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>) -> tensor<4x3xi32> {
  %init32 = tensor.empty() : tensor<4x3xi32>
  %c = lut.lsh_encode %x, %p bias %b bits = 4 outs(%init32 : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<4x3xi32>
  return %c : tensor<4x3xi32>
}

// Without a bias the comparison reads z directly.
// CHECK-LABEL: func @lsh_no_bias
// CHECK: %[[Z:.*]] = linalg.matmul
// CHECK: %[[Z3:.*]] = tensor.expand_shape %[[Z]] {{\[}}[0], [1, 2]] output_shape [4, 2, 6] : tensor<4x12xf32> into tensor<4x2x6xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[MAP_NHJ]], #[[MAP_NH]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Z3]] : tensor<4x2x6xf32>) outs(%{{.*}} : tensor<4x2xi32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: i32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: arith.cmpf ogt, %[[V]], %[[ZERO]] : f32
// CHECK-NOT: arith.addf
// CHECK: } -> tensor<4x2xi32>
func.func @lsh_no_bias(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>) -> tensor<4x2xi32> {
  %init33 = tensor.empty() : tensor<4x2xi32>
  %c = lut.lsh_encode %x, %p bits = 6 outs(%init33 : tensor<4x2xi32>) : tensor<4x8xf32>, tensor<8x12xf32> -> tensor<4x2xi32>
  return %c : tensor<4x2xi32>
}

// f32 tables with weights and bias: the bias is broadcast into the
// accumulator, loops (n, h, m) with the reduction over h in the middle.
// CHECK-LABEL: func @gs_f32
// CHECK-SAME: (%[[C:.*]]: tensor<4x3xi32>, %[[T:.*]]: tensor<3x16x5xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x5xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[MAP_COL]], #[[MAP_ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[B]] : tensor<5xf32>) outs(%[[E]] : tensor<4x5xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[MAP_NH]], #[[MAP_NH]], #[[MAP_NM]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[C]], %[[W]] : tensor<4x3xi32>, tensor<4x3xf32>) outs(%[[INIT]] : tensor<4x5xf32>)
// CHECK-NEXT: ^bb0(%[[CODE:.*]]: i32, %[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[H:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[M:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[IDX:.*]] = arith.index_castui %[[CODE]] : i32 to index
// CHECK-NEXT: %[[TV:.*]] = tensor.extract %[[T]][%[[H]], %[[IDX]], %[[M]]] : tensor<3x16x5xf32>
// CHECK-NEXT: %[[TW:.*]] = arith.mulf %[[TV]], %[[WV]] : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[TW]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK-NEXT: } -> tensor<4x5xf32>
// CHECK-NEXT: return %[[Y]]
func.func @gs_f32(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %w: tensor<4x3xf32>, %b: tensor<5xf32>) -> tensor<4x5xf32> {
  %init34 = tensor.empty() : tensor<4x5xf32>
  %0 = lut.gather_sum %c, %t weights %w bias %b outs(%init34 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> weights tensor<4x3xf32> bias tensor<5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// No weights, no bias: a zero-filled accumulator; i64 codes.
// CHECK-LABEL: func @gs_f32_plain
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x5xf32>
// CHECK: %[[F0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[F0]] : f32) outs(%[[E]] : tensor<4x5xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[MAP_NH]], #[[MAP_NM]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<4x3xi64>) outs(%[[INIT]] : tensor<4x5xf32>)
// CHECK: arith.index_castui %{{.*}} : i64 to index
// CHECK-NEXT: %[[TV:.*]] = tensor.extract
// CHECK-NEXT: arith.addf %{{.*}}, %[[TV]] : f32
func.func @gs_f32_plain(%c: tensor<4x3xi64>, %t: tensor<3x16x5xf32>) -> tensor<4x5xf32> {
  %init35 = tensor.empty() : tensor<4x5xf32>
  %0 = lut.gather_sum %c, %t outs(%init35 : tensor<4x5xf32>) : tensor<4x3xi64>, tensor<3x16x5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// i8 tables: sitofp, times the scale s[h, m], times the weight.
// CHECK-LABEL: func @gs_i8
// CHECK-SAME: (%[[C:.*]]: tensor<4x3xi32>, %[[Q:.*]]: tensor<3x16x5xi8>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<5xf32>, %[[S:.*]]: tensor<3x5xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[B]] : tensor<5xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[C]], %[[W]] : tensor<4x3xi32>, tensor<4x3xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: i32, %[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[H:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[M:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[IDX:.*]] = arith.index_castui
// CHECK-NEXT: %[[T:.*]] = tensor.extract %[[Q]][%[[H]], %[[IDX]], %[[M]]] : tensor<3x16x5xi8>
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[T]] : i8 to f32
// CHECK-NEXT: %[[SV:.*]] = tensor.extract %[[S]][%[[H]], %[[M]]] : tensor<3x5xf32>
// CHECK-NEXT: %[[FS:.*]] = arith.mulf %[[F]], %[[SV]] : f32
// CHECK-NEXT: %[[FW:.*]] = arith.mulf %[[FS]], %[[WV]] : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[FW]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
func.func @gs_i8(%c: tensor<4x3xi32>, %q: tensor<3x16x5xi8>, %w: tensor<4x3xf32>, %b: tensor<5xf32>, %s: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %init36 = tensor.empty() : tensor<4x5xf32>
  %0 = lut.gather_sum %c, %q weights %w bias %b scales %s outs(%init36 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xi8> weights tensor<4x3xf32> bias tensor<5xf32> scales tensor<3x5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// f16 tables: extf; i16 codes.
// CHECK-LABEL: func @gs_f16
// CHECK: linalg.fill
// CHECK: arith.index_castui %{{.*}} : i16 to index
// CHECK-NEXT: %[[T:.*]] = tensor.extract %arg1[{{.*}}] : tensor<3x16x5xf16>
// CHECK-NEXT: %[[F:.*]] = arith.extf %[[T]] : f16 to f32
// CHECK-NEXT: arith.addf %{{.*}}, %[[F]] : f32
func.func @gs_f16(%c: tensor<4x3xi16>, %h: tensor<3x16x5xf16>) -> tensor<4x5xf32> {
  %init37 = tensor.empty() : tensor<4x5xf32>
  %0 = lut.gather_sum %c, %h outs(%init37 : tensor<4x5xf32>) : tensor<4x3xi16>, tensor<3x16x5xf16> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// bf16 tables with a bias: extf; i8 codes.
// CHECK-LABEL: func @gs_bf16
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg2 : tensor<5xf32>)
// CHECK: arith.index_castui %{{.*}} : i8 to index
// CHECK-NEXT: %[[T:.*]] = tensor.extract %arg1[{{.*}}] : tensor<3x16x5xbf16>
// CHECK-NEXT: %[[F:.*]] = arith.extf %[[T]] : bf16 to f32
// CHECK-NEXT: arith.addf %{{.*}}, %[[F]] : f32
func.func @gs_bf16(%c: tensor<4x3xi8>, %h: tensor<3x16x5xbf16>, %b: tensor<5xf32>) -> tensor<4x5xf32> {
  %init38 = tensor.empty() : tensor<4x5xf32>
  %0 = lut.gather_sum %c, %h bias %b outs(%init38 : tensor<4x5xf32>) : tensor<4x3xi8>, tensor<3x16x5xbf16> bias tensor<5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// Constant codes inside [0, R) convert like any others.
// CHECK-LABEL: func @gs_const_codes
// CHECK: %[[C:.*]] = arith.constant dense<{{\[\[}}1, 3]]> : tensor<1x2xi32>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x2xi32>)
func.func @gs_const_codes(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %c = arith.constant dense<[[1, 3]]> : tensor<1x2xi32>
  %init39 = tensor.empty() : tensor<1x5xf32>
  %0 = lut.gather_sum %c, %t outs(%init39 : tensor<1x5xf32>) : tensor<1x2xi32>, tensor<2x4x5xf32> -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}
