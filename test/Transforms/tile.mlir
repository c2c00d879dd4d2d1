// RUN: lut-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(lut-tile{l1-cache-bytes=32768 l2-cache-bytes=1048576}))" | FileCheck %s
// RUN: lut-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(lut-tile{token-tile=16 column-tile=100 l1-cache-bytes=32768 l2-cache-bytes=1048576}))" | FileCheck %s --check-prefix=OPT
// RUN: not lut-opt %s --pass-pipeline="builtin.module(func.func(lut-tile{token-tile=-1}))" 2>&1 | FileCheck %s --check-prefix=BAD

// gather_sum, 32 i8 tables of 256 x 3072 (24 MiB): 64 columns per tile
// (32 * 256 * 64 B = 512 KiB, half of L2), 56 tokens (56 * (32 + 64 * 4) B
// <= 16 KiB, half of L1); the column loop is outermost and the dynamic token
// count ends in a partial tile.
// CHECK-LABEL: func.func @gather_i8
// CHECK: scf.for %[[M:.*]] = %{{.*}} to %{{.*}} step %[[C64:.*]] iter_args
// CHECK:   scf.for %[[N:.*]] = %{{.*}} to %[[DIM:.*]] step %[[C56:.*]] iter_args
// CHECK:     %[[SZ:.*]] = affine.min #{{.*}}(%[[N]])[%[[DIM]]]
// CHECK:     tensor.extract_slice %{{.*}}[0, 0, %[[M]]] [32, 256, 64] [1, 1, 1] : tensor<32x256x3072xi8> to tensor<32x256x64xi8>
// CHECK:     lut.gather_sum {{.*}} outs(%{{.*}} : tensor<?x64xf32>)
// CHECK:     tensor.insert_slice
// OPT-LABEL: func.func @gather_i8
// OPT: tensor.extract_slice %{{.*}}[0, 0, %{{.*}}] [32, 256, 96] [1, 1, 1]
// OPT: lut.gather_sum {{.*}} outs(%{{.*}} : tensor<?x96xf32>)
func.func @gather_i8(%c: tensor<?x32xi8>, %t: tensor<32x256x3072xi8>, %b: tensor<3072xf32>,
                     %s: tensor<3072xf32>, %i: tensor<?x3072xf32>) -> tensor<?x3072xf32> {
  %y = lut.gather_sum %c, %t bias %b scales %s outs(%i : tensor<?x3072xf32>) : tensor<?x32xi8>, tensor<32x256x3072xi8> bias tensor<3072xf32> scales tensor<3072xf32> -> tensor<?x3072xf32>
  return %y : tensor<?x3072xf32>
}

// -----

// Tables that fit half of L2 (4 x 16 x 64 f32 = 16 KiB) and 8 static tokens
// that fit L1: nothing to tile. With token-tile=16 >= 8 neither.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.for
// CHECK: lut.gather_sum {{.*}} : tensor<8x4xi8>, tensor<4x16x64xf32>
// OPT-LABEL: func.func @small
// OPT-NOT: scf.for
func.func @small(%c: tensor<8x4xi8>, %t: tensor<4x16x64xf32>, %i: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = lut.gather_sum %c, %t outs(%i : tensor<8x64xf32>) : tensor<8x4xi8>, tensor<4x16x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// lsh_encode, x of 197 x 768 and 64 tables of 8 bits (a 768 x 512 f32
// projection, 1.5 MiB): 21 tables' columns (21 x 24 KiB) fit half of L2,
// rounded down to a divisor of 64 (16); 5 tokens of 3 KiB fit half of L1
// (fewer than 8, so not rounded), with a partial last tile (197 = 39 x 5 + 2).
// CHECK-LABEL: func.func @encode
// CHECK: scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C5:.*]] iter_args
// CHECK:     tensor.extract_slice %{{.*}}[0, %{{.*}}] [768, 128] [1, 1] : tensor<768x512xf32> to tensor<768x128xf32>
// CHECK:     lut.lsh_encode {{.*}} bits = 8 outs(%{{.*}} : tensor<?x16xi8>)
// With token-tile=16 and column-tile=100 (>= 64 tables): tokens only.
// OPT-LABEL: func.func @encode
// OPT: %[[C16:.*]] = arith.constant 16 : index
// OPT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16]] iter_args
// OPT-NOT: scf.for
// OPT: lut.lsh_encode {{.*}} outs(%{{.*}} : tensor<?x64xi8>)
func.func @encode(%x: tensor<197x768xf32>, %p: tensor<768x512xf32>, %b: tensor<512xf32>,
                  %i: tensor<197x64xi8>) -> tensor<197x64xi8> {
  %c = lut.lsh_encode %x, %p bias %b bits = 8 outs(%i : tensor<197x64xi8>) : tensor<197x768xf32>, tensor<768x512xf32> bias tensor<512xf32> -> tensor<197x64xi8>
  return %c : tensor<197x64xi8>
}

// BAD: lut-tile: token-tile=-1 must be >= 0 (0: chosen by the pass)
