// RUN: lut-opt %s --lut-detect-mlp | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>

// Linear -> Linear with nothing pointwise in between is not an FFN.
// CHECK-LABEL: func @linear_linear
// CHECK-NOT: lut.mlp
func.func @linear_linear(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<1.0> : tensor<8x16xf32>
  %w2 = arith.constant dense<1.0> : tensor<16x8xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %i2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%i2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// The second matmul's weight is not a constant (as in attention: P @ V).
// CHECK-LABEL: func @not_constant
// CHECK-NOT: lut.mlp
func.func @not_constant(%x: tensor<4x8xf32>, %v: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<1.0> : tensor<8x16xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %i2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%a, %v : tensor<4x16xf32>, tensor<16x8xf32>) outs(%i2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// An intermediate value used outside the block: cannot be wrapped.
// CHECK-LABEL: func @escaping
// CHECK-NOT: lut.mlp
func.func @escaping(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x16xf32>) {
  %w1 = arith.constant dense<1.0> : tensor<8x16xf32>
  %w2 = arith.constant dense<1.0> : tensor<16x8xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.tanh %in : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %i2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%i2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y, %a : tensor<4x8xf32>, tensor<4x16xf32>
}

// The positive case in the same form: matched, with the constants moved in.
// CHECK-LABEL: func @ffn
// CHECK: %[[Y:.*]] = lut.mlp "mlp.0" (%arg0) : (tensor<4x8xf32>) -> tensor<4x8xf32> attributes {activation = "tanh", d_ff = 16 : i64, d_model = 8 : i64, d_out = 8 : i64} {
// CHECK: arith.constant dense<1.000000e+00> : tensor<8x16xf32>
// CHECK: linalg.matmul
// CHECK: math.tanh
// CHECK: linalg.matmul
// CHECK: lut.yield
// CHECK: return %[[Y]]
func.func @ffn(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<1.0> : tensor<8x16xf32>
  %w2 = arith.constant dense<1.0> : tensor<16x8xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.tanh %in : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %i2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%i2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// The down projection accumulates into a value computed outside (a fused
// residual): not a fresh Linear, so not wrapped (and the pass does not fail).
// CHECK-LABEL: func @accumulating
// CHECK-NOT: lut.mlp
func.func @accumulating(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<1.0> : tensor<8x16xf32>
  %w2 = arith.constant dense<1.0> : tensor<16x8xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<4x16xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%r : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
