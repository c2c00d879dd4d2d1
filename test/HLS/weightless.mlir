// The weightless ops through the HLS backend (lowered to loops by
// convert-lut-to-linalg under keep-table-ops): C simulation of the emitted
// C++ against the native CPU path on random inputs, bit for bit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/csim_mlir.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t --exact 0,1,2 | FileCheck %s
// CHECK: out0: exact
// CHECK: out1: exact
// CHECK: out2: exact

func.func @main_graph(%x: tensor<7x5xf32>, %t: tensor<5x4xf32>, %tab: tensor<12x64xf32>)
    -> (tensor<7x20xi8>, tensor<7x12xf32>, tensor<7x3xf32>) {
  %m = arith.constant dense<[[16, 1, 3, 4, 3, 16], [17, 11, 0, 1, 6, 8], [12, 9, 5, 3, 13, 14], [0, 2, 9, 7, 17, 10], [8, 8, 13, 11, 3, 14], [15, 19, 15, 5, 6, 12], [13, 13, 17, 5, 18, 0], [1, 19, 18, 5, 2, 6], [0, 17, 13, 11, 4, 9], [3, 15, 9, 0, 5, 14], [10, 7, 5, 1, 12, 13], [10, 18, 18, 4, 12, 12]]> : tensor<12x6xi32>
  %e0 = tensor.empty() : tensor<7x20xi8>
  %bits = lut.thermometer %x, %t outs(%e0 : tensor<7x20xi8>) : tensor<7x5xf32>, tensor<5x4xf32> -> tensor<7x20xi8>
  %e1 = tensor.empty() : tensor<7x12xf32>
  %o = lut.lut %bits, %m, %tab outs(%e1 : tensor<7x12xf32>) : tensor<7x20xi8>, tensor<12x6xi32>, tensor<12x64xf32> -> tensor<7x12xf32>
  %o3 = tensor.expand_shape %o [[0], [1, 2]] output_shape [7, 3, 4] : tensor<7x12xf32> into tensor<7x3x4xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<7x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<7x3xf32>) -> tensor<7x3xf32>
  %y = linalg.reduce ins(%o3 : tensor<7x3x4xf32>) outs(%acc : tensor<7x3xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  return %bits, %o, %y : tensor<7x20xi8>, tensor<7x12xf32>, tensor<7x3xf32>
}
