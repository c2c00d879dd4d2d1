// The lut ops with a run-time token count: the entry function is static
// (the model ABI), the ops see tensor<?x...> through tensor.cast. Compiled
// natively and checked against NumPy (check_lut_ops.py, same inputs and
// outputs as lut_ops.mlir): through the microkernels and the linalg
// lowering, untiled and tiled by lut-tile (default sizes, and tiles of 4
// tokens, a partial tile at the end, by column-tile=2, which becomes 1: the
// largest divisor of M = 5 and of H = 3 not above 2).
// RUN: rm -rf %t && mkdir -p %t/k %t/r %t/tk %t/tr %t/fk
// RUN: %python %S/check_lut_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/k | FileCheck %s
// RUN: %python %S/check_lut_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/r --lutc-arg=--ukernels=false | FileCheck %s
// RUN: %python %S/check_lut_ops.py --mlir %s --lutc lutc --lut-run lut-run --work-dir %t/fk --lutc-arg=--lut-tile | FileCheck %s
// RUN: lut-opt %s --lut-tile="token-tile=4 column-tile=2" -o %t/tiled.mlir
// RUN: FileCheck %s --check-prefix=TILED < %t/tiled.mlir
// RUN: %python %S/check_lut_ops.py --mlir %t/tiled.mlir --lutc lutc --lut-run lut-run --work-dir %t/tk | FileCheck %s
// RUN: %python %S/check_lut_ops.py --mlir %t/tiled.mlir --lutc lutc --lut-run lut-run --work-dir %t/tr --lutc-arg=--ukernels=false | FileCheck %s
// CHECK: lsh_encode codes: exact match
// CHECK: gather_sum f32: max abs err {{[0-9.e+-]+}} ok
// CHECK: gather_sum i8: max abs err {{[0-9.e+-]+}} ok
// CHECK: gather_sum f16: max abs err {{[0-9.e+-]+}} ok
// TILED-LABEL: func.func @main_graph
// TILED: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// TILED: scf.for %{{.*}} = %{{.*}} to %[[N:.*]] step %{{.*}} iter_args
// TILED: lut.lsh_encode {{.*}} : tensor<?x8xf32>, tensor<8x4xf32> bias tensor<4xf32> -> tensor<?x1xi32>
// TILED: lut.gather_sum {{.*}} : tensor<?x3xi32>, tensor<3x16x1xf32> weights tensor<?x3xf32> bias tensor<1xf32> -> tensor<?x1xf32>

func.func @main_graph(%x: tensor<6x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>,
                      %t: tensor<3x16x5xf32>, %w: tensor<6x3xf32>, %bias: tensor<5xf32>,
                      %q: tensor<3x16x5xi8>, %s: tensor<3x5xf32>, %h: tensor<3x16x5xf16>)
    -> (tensor<6x3xi32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>) {
  %c0 = arith.constant 0 : index
  %xd = tensor.cast %x : tensor<6x8xf32> to tensor<?x8xf32>
  %wd = tensor.cast %w : tensor<6x3xf32> to tensor<?x3xf32>
  %n = tensor.dim %xd, %c0 : tensor<?x8xf32>
  %init1 = tensor.empty(%n) : tensor<?x3xi32>
  %c = lut.lsh_encode %xd, %p bias %b bits = 4 outs(%init1 : tensor<?x3xi32>) : tensor<?x8xf32>, tensor<8x12xf32> bias tensor<12xf32> -> tensor<?x3xi32>
  %init2 = tensor.empty(%n) : tensor<?x5xf32>
  %y0 = lut.gather_sum %c, %t weights %wd bias %bias outs(%init2 : tensor<?x5xf32>) : tensor<?x3xi32>, tensor<3x16x5xf32> weights tensor<?x3xf32> bias tensor<5xf32> -> tensor<?x5xf32>
  %init3 = tensor.empty(%n) : tensor<?x5xf32>
  %y1 = lut.gather_sum %c, %q scales %s outs(%init3 : tensor<?x5xf32>) : tensor<?x3xi32>, tensor<3x16x5xi8> scales tensor<3x5xf32> -> tensor<?x5xf32>
  %init4 = tensor.empty(%n) : tensor<?x5xf32>
  %y2 = lut.gather_sum %c, %h outs(%init4 : tensor<?x5xf32>) : tensor<?x3xi32>, tensor<3x16x5xf16> -> tensor<?x5xf32>
  %cs = tensor.cast %c : tensor<?x3xi32> to tensor<6x3xi32>
  %r0 = tensor.cast %y0 : tensor<?x5xf32> to tensor<6x5xf32>
  %r1 = tensor.cast %y1 : tensor<?x5xf32> to tensor<6x5xf32>
  %r2 = tensor.cast %y2 : tensor<?x5xf32> to tensor<6x5xf32>
  return %cs, %r0, %r1, %r2 : tensor<6x3xi32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>
}
