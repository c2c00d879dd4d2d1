func.func @main_graph(%c: tensor<2x1xi8>) -> tensor<2x3xf32> {
  %t = arith.constant dense<1.0> : tensor<1x4x3xf16>
  %e = tensor.empty() : tensor<2x3xf32>
  %y = lut.gather_sum %c, %t outs(%e : tensor<2x3xf32>) : tensor<2x1xi8>, tensor<1x4x3xf16> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
