// Compiles lut.thermometer and lut.lut natively (the linalg reference
// lowering; with and without the kernel path for the other ops) and checks
// the numbers against a NumPy evaluation of their definitions.
// RUN: rm -rf %t && mkdir -p %t/a %t/b
// RUN: %python %S/check_weightless_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/a | FileCheck %s
// RUN: %python %S/check_weightless_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/b --lutc-arg=--ukernels=false | FileCheck %s
// CHECK: thermometer bits: exact match
// CHECK: lut outputs: exact match
// CHECK: group sum: max abs err {{[0-9.e+-]+}} ok

func.func @main_graph(%x: tensor<7x5xf32>, %t: tensor<5x4xf32>, %m: tensor<12x6xi32>,
                      %tab: tensor<12x64xf32>) -> (tensor<7x20xi8>, tensor<7x12xf32>, tensor<7x3xf32>) {
  %e0 = tensor.empty() : tensor<7x20xi8>
  %bits = lut.thermometer %x, %t outs(%e0 : tensor<7x20xi8>) : tensor<7x5xf32>, tensor<5x4xf32> -> tensor<7x20xi8>
  %e1 = tensor.empty() : tensor<7x12xf32>
  %o = lut.lut %bits, %m, %tab outs(%e1 : tensor<7x12xf32>) : tensor<7x20xi8>, tensor<12x6xi32>, tensor<12x64xf32> -> tensor<7x12xf32>
  // The group sum of a weightless layer: 3 groups of 4 LUT outputs.
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
