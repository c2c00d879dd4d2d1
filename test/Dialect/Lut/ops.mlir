// RUN: lut-opt %s | FileCheck %s
// RUN: lut-opt %s | lut-opt | FileCheck %s
// RUN: lut-opt %s --mlir-print-op-generic | lut-opt | FileCheck %s

// CHECK-LABEL: func @mlp_roundtrip
func.func @mlp_roundtrip(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: lut.mlp "blocks.0.mlp" (%{{.*}}) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: ^bb0(%[[A:.*]]: tensor<4x8xf32>):
  // CHECK: lut.yield %{{.*}} : tensor<4x8xf32>
  %y = lut.mlp "blocks.0.mlp" (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    %e = tensor.empty() : tensor<4x8xf32>
    %r = linalg.exp ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    lut.yield %r : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// CHECK-LABEL: func @lsh_encode
func.func @lsh_encode(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>) -> (tensor<4x3xi32>, tensor<4x2xi32>) {
  // CHECK: lut.lsh_encode %{{.*}}, %{{.*}} bias %{{.*}} bits = 4 : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12xf32>) -> tensor<4x3xi32>
  %c = lut.lsh_encode %x, %p bias %b bits = 4 : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12xf32>) -> tensor<4x3xi32>
  // CHECK: lut.lsh_encode %{{.*}}, %{{.*}} bits = 6 : (tensor<4x8xf32>, tensor<8x12xf32>) -> tensor<4x2xi32>
  %d = lut.lsh_encode %x, %p bits = 6 : (tensor<4x8xf32>, tensor<8x12xf32>) -> tensor<4x2xi32>
  return %c, %d : tensor<4x3xi32>, tensor<4x2xi32>
}

// CHECK-LABEL: func @gather_sum
func.func @gather_sum(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %w: tensor<4x3xf32>, %b: tensor<5xf32>,
                      %q: tensor<3x16x5xi8>, %s: tensor<3x5xf32>, %h: tensor<3x16x5xf16>) -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) {
  // CHECK: lut.gather_sum %{{.*}}, %{{.*}} weights %{{.*}} bias %{{.*}} : (tensor<4x3xi32>, tensor<3x16x5xf32>, tensor<4x3xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %0 = lut.gather_sum %c, %t weights %w bias %b : (tensor<4x3xi32>, tensor<3x16x5xf32>, tensor<4x3xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  // CHECK: lut.gather_sum %{{.*}}, %{{.*}} scales %{{.*}} : (tensor<4x3xi32>, tensor<3x16x5xi8>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %1 = lut.gather_sum %c, %q scales %s : (tensor<4x3xi32>, tensor<3x16x5xi8>, tensor<3x5xf32>) -> tensor<4x5xf32>
  // CHECK: lut.gather_sum %{{.*}}, %{{.*}} : (tensor<4x3xi32>, tensor<3x16x5xf16>) -> tensor<4x5xf32>
  %2 = lut.gather_sum %c, %h : (tensor<4x3xi32>, tensor<3x16x5xf16>) -> tensor<4x5xf32>
  return %0, %1, %2 : tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>
}

// The optional lut.mlp attributes print in the attribute dictionary.
// CHECK-LABEL: func @mlp_attributes
func.func @mlp_attributes(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: lut.mlp "blocks.1.mlp" (%{{.*}}) : (tensor<4x8xf32>) -> tensor<4x8xf32> attributes {activation = "swiglu", d_ff = 16 : i64, d_model = 8 : i64, d_out = 8 : i64} {
  %y = lut.mlp "blocks.1.mlp" (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
      attributes {activation = "swiglu", d_model = 8 : i64, d_ff = 16 : i64, d_out = 8 : i64} {
  ^bb0(%a: tensor<4x8xf32>):
    lut.yield %a : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// The dialect's discardable attributes on a function, its arguments and
// results.
// CHECK-LABEL: func @signature_attributes
// CHECK-SAME: (%{{.*}}: tensor<2xi64> {lut.dtype = "uint32", lut.name = "ids"}) -> (tensor<2xbf16> {lut.dtype = "bfloat16", lut.name = "y"})
// CHECK-SAME: attributes {lut.signature = "lut-model v1\0A"}
func.func @signature_attributes(%ids: tensor<2xi64> {lut.name = "ids", lut.dtype = "uint32"})
    -> (tensor<2xbf16> {lut.name = "y", lut.dtype = "bfloat16"}) attributes {lut.signature = "lut-model v1\n"} {
  %c = arith.constant dense<0.0> : tensor<2xbf16>
  return %c : tensor<2xbf16>
}

// The verifier does not look at the codes' values: constant codes out of
// range are only rejected when lowering (convert-lut-to-linalg).
// CHECK-LABEL: func @constant_codes_out_of_range
func.func @constant_codes_out_of_range(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %c = arith.constant dense<[[1, 7]]> : tensor<1x2xi32>
  // CHECK: lut.gather_sum
  %0 = lut.gather_sum %c, %t : (tensor<1x2xi32>, tensor<2x4x5xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}
