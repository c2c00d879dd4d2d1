// RUN: lut-opt %s --convert-lut-to-linalg -split-input-file -verify-diagnostics

// Constant codes outside [0, R): the gather_sum pattern reports the first
// bad code and refuses, so the op is left over and the pass fails.

func.func @code_too_large(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %c = arith.constant dense<[[1, 4]]> : tensor<1x2xi32>
  %init14 = tensor.empty() : tensor<1x5xf32>
  // expected-error @+2 {{'lut.gather_sum' op code 4 at [0, 1] is outside [0, 4)}}
  // expected-error @+1 {{failed to legalize operation 'lut.gather_sum' that was explicitly marked illegal}}
  %0 = lut.gather_sum %c, %t outs(%init14 : tensor<1x5xf32>) : tensor<1x2xi32>, tensor<2x4x5xf32> -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @code_negative(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %c = arith.constant dense<[[-1, 0]]> : tensor<1x2xi32>
  %init15 = tensor.empty() : tensor<1x5xf32>
  // Codes are unsigned: the i32 -1 is 4294967295.
  // expected-error @+2 {{code 4294967295 at [0, 0] is outside [0, 4)}}
  // expected-error @+1 {{failed to legalize operation 'lut.gather_sum'}}
  %0 = lut.gather_sum %c, %t outs(%init15 : tensor<1x5xf32>) : tensor<1x2xi32>, tensor<2x4x5xf32> -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

// Codes are read as unsigned: the i8 code -56 is 200, out of range with
// R = 128. The position is [n, h] in the N x H codes.
func.func @code_unsigned_i8(%t: tensor<3x128x5xf32>) -> tensor<2x5xf32> {
  %c = arith.constant dense<[[0, 1, 2], [3, 127, -56]]> : tensor<2x3xi8>
  %init16 = tensor.empty() : tensor<2x5xf32>
  // expected-error @+2 {{code 200 at [1, 2] is outside [0, 128)}}
  // expected-error @+1 {{failed to legalize operation 'lut.gather_sum'}}
  %0 = lut.gather_sum %c, %t outs(%init16 : tensor<2x5xf32>) : tensor<2x3xi8>, tensor<3x128x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// The bad op may sit inside a lut.mlp body: the whole conversion fails.
func.func @code_in_mlp(%t: tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  %y = lut.mlp "blocks.0.mlp" (%t) : (tensor<2x4x5xf32>) -> tensor<1x5xf32> {
  ^bb0(%u: tensor<2x4x5xf32>):
    %c = arith.constant dense<[[9, 0]]> : tensor<1x2xi32>
    %init17 = tensor.empty() : tensor<1x5xf32>
    // expected-error @+2 {{code 9 at [0, 0] is outside [0, 4)}}
    // expected-error @+1 {{failed to legalize operation 'lut.gather_sum'}}
    %0 = lut.gather_sum %c, %u outs(%init17 : tensor<1x5xf32>) : tensor<1x2xi32>, tensor<2x4x5xf32> -> tensor<1x5xf32>
    lut.yield %0 : tensor<1x5xf32>
  }
  return %y : tensor<1x5xf32>
}

// -----

func.func @lut_mapping_out_of_range(%b: tensor<2x8xi8>, %t: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %m = arith.constant dense<[[0, 7], [3, 8]]> : tensor<2x2xi32>
  %e = tensor.empty() : tensor<2x2xf32>
  // expected-error @+2 {{mapping index 8 at [1, 1] is outside [0, 8)}}
  // expected-error @+1 {{failed to legalize operation 'lut.lut'}}
  %y = lut.lut %b, %m, %t outs(%e : tensor<2x2xf32>) : tensor<2x8xi8>, tensor<2x2xi32>, tensor<2x4xf32> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
