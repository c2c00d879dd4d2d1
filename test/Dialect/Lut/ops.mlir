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
  // CHECK: lut.lsh_encode %{{.*}}, %{{.*}} bias %{{.*}} bits = 4 outs(%{{.*}} : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<4x3xi32>
  %init20 = tensor.empty() : tensor<4x3xi32>
  %c = lut.lsh_encode %x, %p bias %b bits = 4 outs(%init20 : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<4x3xi32>
  // CHECK: lut.lsh_encode %{{.*}}, %{{.*}} bits = 6 outs(%{{.*}} : tensor<4x2xi32>) : tensor<4x8xf32>, tensor<8x12xf32> -> tensor<4x2xi32>
  %init21 = tensor.empty() : tensor<4x2xi32>
  %d = lut.lsh_encode %x, %p bits = 6 outs(%init21 : tensor<4x2xi32>) : tensor<4x8xf32>, tensor<8x12xf32> -> tensor<4x2xi32>
  return %c, %d : tensor<4x3xi32>, tensor<4x2xi32>
}

// CHECK-LABEL: func @gather_sum
func.func @gather_sum(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %w: tensor<4x3xf32>, %b: tensor<5xf32>,
                      %q: tensor<3x16x5xi8>, %s: tensor<3x5xf32>, %h: tensor<3x16x5xf16>) -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) {
  // CHECK: lut.gather_sum %{{.*}}, %{{.*}} weights %{{.*}} bias %{{.*}} outs(%{{.*}} : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> weights tensor<4x3xf32> bias tensor<5xf32> -> tensor<4x5xf32>
  %init22 = tensor.empty() : tensor<4x5xf32>
  %0 = lut.gather_sum %c, %t weights %w bias %b outs(%init22 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> weights tensor<4x3xf32> bias tensor<5xf32> -> tensor<4x5xf32>
  // CHECK: lut.gather_sum %{{.*}}, %{{.*}} scales %{{.*}} outs(%{{.*}} : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xi8> scales tensor<3x5xf32> -> tensor<4x5xf32>
  %init23 = tensor.empty() : tensor<4x5xf32>
  %1 = lut.gather_sum %c, %q scales %s outs(%init23 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xi8> scales tensor<3x5xf32> -> tensor<4x5xf32>
  // CHECK: lut.gather_sum %{{.*}}, %{{.*}} outs(%{{.*}} : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf16> -> tensor<4x5xf32>
  %init24 = tensor.empty() : tensor<4x5xf32>
  %2 = lut.gather_sum %c, %h outs(%init24 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf16> -> tensor<4x5xf32>
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
  %init25 = tensor.empty() : tensor<1x5xf32>
  %0 = lut.gather_sum %c, %t outs(%init25 : tensor<1x5xf32>) : tensor<1x2xi32>, tensor<2x4x5xf32> -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// Destination-passing style on memrefs (after bufferization): no result.
// CHECK-LABEL: func @on_memrefs
// CHECK: lut.lsh_encode %{{.*}}, %{{.*}} bits = 8 outs(%{{.*}} : memref<?x2xi8>) : memref<?x8xf32>, memref<8x16xf32>{{$}}
// CHECK: lut.gather_sum %{{.*}}, %{{.*}} scales %{{.*}} outs(%{{.*}} : memref<?x5xf32>) : memref<?x2xi8>, memref<2x256x5xi8> scales memref<5xf32>{{$}}
func.func @on_memrefs(%x: memref<?x8xf32>, %p: memref<8x16xf32>, %codes: memref<?x2xi8>,
                      %t: memref<2x256x5xi8>, %s: memref<5xf32>, %y: memref<?x5xf32>) {
  lut.lsh_encode %x, %p bits = 8 outs(%codes : memref<?x2xi8>) : memref<?x8xf32>, memref<8x16xf32>
  lut.gather_sum %codes, %t scales %s outs(%y : memref<?x5xf32>) : memref<?x2xi8>, memref<2x256x5xi8> scales memref<5xf32>
  return
}

// A dynamic token count N on tensors, u16-range codes in i16, per-column
// scales of i8 tables.
// CHECK-LABEL: func @dynamic_n
// CHECK: lut.lsh_encode {{.*}} outs(%{{.*}} : tensor<?x1xi16>) : tensor<?x8xf32>, tensor<8x12xf32> -> tensor<?x1xi16>
// CHECK: lut.gather_sum {{.*}} outs(%{{.*}} : tensor<?x5xf32>) : tensor<?x1xi16>, tensor<1x4096x5xi8> scales tensor<5xf32> -> tensor<?x5xf32>
func.func @dynamic_n(%x: tensor<?x8xf32>, %p: tensor<8x12xf32>, %t: tensor<1x4096x5xi8>, %s: tensor<5xf32>) -> tensor<?x5xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %ci = tensor.empty(%n) : tensor<?x1xi16>
  %codes = lut.lsh_encode %x, %p bits = 12 outs(%ci : tensor<?x1xi16>) : tensor<?x8xf32>, tensor<8x12xf32> -> tensor<?x1xi16>
  %yi = tensor.empty(%n) : tensor<?x5xf32>
  %y = lut.gather_sum %codes, %t scales %s outs(%yi : tensor<?x5xf32>) : tensor<?x1xi16>, tensor<1x4096x5xi8> scales tensor<5xf32> -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}
