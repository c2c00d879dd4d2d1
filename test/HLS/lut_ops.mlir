// Every lut op variant that the HLS backend emits, with its tables as
// arguments (flat m_axi arrays, not ROM): the C simulation of the emitted
// C++ against the native CPU path on random inputs. The i8 gather with one
// scale per column sums in integers and must match bit for bit; the codes
// too; the f32 sums (weights, per-table scales) within float rounding.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/csim_mlir.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t --exact 0,3 | FileCheck %s
// CHECK: out0: exact
// CHECK: out1: {{exact|max abs err .* ok}}
// CHECK: out2: {{exact|max abs err .* ok}}
// CHECK: out3: exact

func.func @main_graph(%x: tensor<6x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>,
                      %t: tensor<3x16x5xf32>, %w: tensor<6x3xf32>, %bias: tensor<5xf32>,
                      %q: tensor<3x16x5xi8>, %s: tensor<3x5xf32>, %sc: tensor<5xf32>)
    -> (tensor<6x3xi32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>) {
  %init1 = tensor.empty() : tensor<6x3xi32>
  %c = lut.lsh_encode %x, %p bias %b bits = 4 outs(%init1 : tensor<6x3xi32>) : tensor<6x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<6x3xi32>
  %init2 = tensor.empty() : tensor<6x5xf32>
  %y0 = lut.gather_sum %c, %t weights %w bias %bias outs(%init2 : tensor<6x5xf32>) : tensor<6x3xi32>, tensor<3x16x5xf32> weights tensor<6x3xf32> bias tensor<5xf32> -> tensor<6x5xf32>
  %init3 = tensor.empty() : tensor<6x5xf32>
  %y1 = lut.gather_sum %c, %q scales %s outs(%init3 : tensor<6x5xf32>) : tensor<6x3xi32>, tensor<3x16x5xi8> scales tensor<3x5xf32> -> tensor<6x5xf32>
  %init4 = tensor.empty() : tensor<6x5xf32>
  %y2 = lut.gather_sum %c, %q bias %bias scales %sc outs(%init4 : tensor<6x5xf32>) : tensor<6x3xi32>, tensor<3x16x5xi8> bias tensor<5xf32> scales tensor<5xf32> -> tensor<6x5xf32>
  return %c, %y0, %y1, %y2 : tensor<6x3xi32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>
}
