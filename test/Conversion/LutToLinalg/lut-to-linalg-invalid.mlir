// RUN: lut-opt %s --convert-lut-to-linalg -split-input-file -verify-diagnostics

// Constant codes outside [0, R): the gather_sum pattern reports the first
// bad code and refuses, so the op is left over and the pass fails.

func.func @code_too_large(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %c = arith.constant dense<[[1, 4]]> : tensor<1x2xi32>
  // expected-error @+2 {{'lut.gather_sum' op code 4 at [0, 1] is outside [0, 4)}}
  // expected-error @+1 {{failed to legalize operation 'lut.gather_sum' that was explicitly marked illegal}}
  %0 = lut.gather_sum %c, %t : (tensor<1x2xi32>, tensor<2x4x5xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @code_negative(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %c = arith.constant dense<[[-1, 0]]> : tensor<1x2xi32>
  // expected-error @+2 {{code -1 at [0, 0] is outside [0, 4)}}
  // expected-error @+1 {{failed to legalize operation 'lut.gather_sum'}}
  %0 = lut.gather_sum %c, %t : (tensor<1x2xi32>, tensor<2x4x5xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

// Codes are read as signed: the i8 code -56 (bit pattern 200) is out of range
// even with R = 256. The position is [n, h] in the N x H codes.
func.func @code_signed_i8(%t: tensor<3x256x5xf32>) -> tensor<2x5xf32> {
  %c = arith.constant dense<[[0, 1, 2], [3, 127, -56]]> : tensor<2x3xi8>
  // expected-error @+2 {{code -56 at [1, 2] is outside [0, 256)}}
  // expected-error @+1 {{failed to legalize operation 'lut.gather_sum'}}
  %0 = lut.gather_sum %c, %t : (tensor<2x3xi8>, tensor<3x256x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// The bad op may sit inside a lut.mlp body: the whole conversion fails.
func.func @code_in_mlp(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %y = lut.mlp "blocks.0.mlp" (%t) : (tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  ^bb0(%u: tensor<2x4x5xf32>):
    %c = arith.constant dense<[[9, 0]]> : tensor<1x2xi32>
    // expected-error @+2 {{code 9 at [0, 0] is outside [0, 4)}}
    // expected-error @+1 {{failed to legalize operation 'lut.gather_sum'}}
    %0 = lut.gather_sum %c, %u : (tensor<1x2xi32>, tensor<2x4x5xf32>) -> tensor<1x5xf32>
    lut.yield %0 : tensor<1x5xf32>
  }
  return %y : tensor<1x5xf32>
}
