// The verifiers of lut.thermometer and lut.lut.
// RUN: lut-opt %s -split-input-file -verify-diagnostics

func.func @thermometer_features(%x: tensor<4x3xf32>, %t: tensor<2x5xf32>) -> tensor<4x10xi8> {
  %e = tensor.empty() : tensor<4x10xi8>
  // expected-error @+1 {{x has D = 3 features but thresholds has 2 rows}}
  %b = lut.thermometer %x, %t outs(%e : tensor<4x10xi8>) : tensor<4x3xf32>, tensor<2x5xf32> -> tensor<4x10xi8>
  return %b : tensor<4x10xi8>
}

// -----

func.func @thermometer_width(%x: tensor<4x3xf32>, %t: tensor<3x5xf32>) -> tensor<4x14xi8> {
  %e = tensor.empty() : tensor<4x14xi8>
  // expected-error @+1 {{bits must have shape N x 15 (N x D*B), got 'tensor<4x14xi8>'}}
  %b = lut.thermometer %x, %t outs(%e : tensor<4x14xi8>) : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x14xi8>
  return %b : tensor<4x14xi8>
}

// -----

func.func @thermometer_rank(%x: tensor<3xf32>, %t: tensor<3x5xf32>) -> tensor<4x15xi8> {
  %e = tensor.empty() : tensor<4x15xi8>
  // expected-error @+1 {{expects x of rank 2 (N x D), got 'tensor<3xf32>'}}
  %b = lut.thermometer %x, %t outs(%e : tensor<4x15xi8>) : tensor<3xf32>, tensor<3x5xf32> -> tensor<4x15xi8>
  return %b : tensor<4x15xi8>
}

// -----

func.func @thermometer_bit_type(%x: tensor<4x3xf32>, %t: tensor<3x5xf32>) -> tensor<4x15xi32> {
  %e = tensor.empty() : tensor<4x15xi32>
  // expected-error @+1 {{operand #2 must be}}
  %b = lut.thermometer %x, %t outs(%e : tensor<4x15xi32>) : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x15xi32>
  return %b : tensor<4x15xi32>
}

// -----

func.func @lut_table_width(%b: tensor<2x8xi8>, %m: tensor<4x3xi32>, %t: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  // expected-error @+1 {{tables must have shape 4x8 (L x 2^n), got 'tensor<4x4xf32>'}}
  %y = lut.lut %b, %m, %t outs(%e : tensor<2x4xf32>) : tensor<2x8xi8>, tensor<4x3xi32>, tensor<4x4xf32> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @lut_fan_in(%b: tensor<2x8xi8>, %m: tensor<4x17xi32>, %t: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  // expected-error @+1 {{fan-in n = 17 (mapping's second dim) is outside [1, 16]}}
  %y = lut.lut %b, %m, %t outs(%e : tensor<2x4xf32>) : tensor<2x8xi8>, tensor<4x17xi32>, tensor<4x4xf32> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @lut_result(%b: tensor<2x8xi8>, %m: tensor<4x2xi32>, %t: tensor<4x4xf32>) -> tensor<3x4xf32> {
  %e = tensor.empty() : tensor<3x4xf32>
  // expected-error @+1 {{result must have shape N x 4 (N x L), got 'tensor<3x4xf32>'}}
  %y = lut.lut %b, %m, %t outs(%e : tensor<3x4xf32>) : tensor<2x8xi8>, tensor<4x2xi32>, tensor<4x4xf32> -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

func.func @lut_mixed(%b: memref<2x8xi8>, %m: tensor<4x2xi32>, %t: tensor<4x4xf32>, %y: memref<2x4xf32>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  lut.lut %b, %m, %t outs(%y : memref<2x4xf32>) : memref<2x8xi8>, tensor<4x2xi32>, tensor<4x4xf32>
  return
}
