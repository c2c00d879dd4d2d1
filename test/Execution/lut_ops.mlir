// Compiles the lut ops natively and checks the numbers against a NumPy
// evaluation of the op definitions: through the LutKernels microkernels
// (lutc's default, --ukernels) and through the linalg reference lowering
// (--ukernels=false).
// RUN: rm -rf %t && mkdir -p %t/k %t/r
// RUN: %python %S/check_lut_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/k | FileCheck %s
// RUN: %python %S/check_lut_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/r --lutc-arg=--ukernels=false | FileCheck %s
// CHECK: lsh_encode codes: exact match
// CHECK: gather_sum f32: max abs err {{[0-9.e+-]+}} ok
// CHECK: gather_sum i8: max abs err {{[0-9.e+-]+}} ok
// CHECK: gather_sum f16: max abs err {{[0-9.e+-]+}} ok

func.func @main_graph(%x: tensor<6x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>,
                      %t: tensor<3x16x5xf32>, %w: tensor<6x3xf32>, %bias: tensor<5xf32>,
                      %q: tensor<3x16x5xi8>, %s: tensor<3x5xf32>, %h: tensor<3x16x5xf16>)
    -> (tensor<6x3xi32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>) {
  %init1 = tensor.empty() : tensor<6x3xi32>
  %c = lut.lsh_encode %x, %p bias %b bits = 4 outs(%init1 : tensor<6x3xi32>) : tensor<6x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<6x3xi32>
  %init2 = tensor.empty() : tensor<6x5xf32>
  %y0 = lut.gather_sum %c, %t weights %w bias %bias outs(%init2 : tensor<6x5xf32>) : tensor<6x3xi32>, tensor<3x16x5xf32> weights tensor<6x3xf32> bias tensor<5xf32> -> tensor<6x5xf32>
  %init3 = tensor.empty() : tensor<6x5xf32>
  %y1 = lut.gather_sum %c, %q scales %s outs(%init3 : tensor<6x5xf32>) : tensor<6x3xi32>, tensor<3x16x5xi8> scales tensor<3x5xf32> -> tensor<6x5xf32>
  %init4 = tensor.empty() : tensor<6x5xf32>
  %y2 = lut.gather_sum %c, %h outs(%init4 : tensor<6x5xf32>) : tensor<6x3xi32>, tensor<3x16x5xf16> -> tensor<6x5xf32>
  return %c, %y0, %y1, %y2 : tensor<6x3xi32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>
}
