// lut-hls-directives on the HLS level: the column unroll of each gather
// follows the device budget, user-set attributes are kept, options are
// checked.
// RUN: lut-opt %s --split-input-file --lut-hls-directives | FileCheck %s
// RUN: lut-opt %s --split-input-file --lut-hls-directives=device=xc7z020 2>/dev/null | FileCheck %s --check-prefix=SMALL
// RUN: lut-opt %s --split-input-file --lut-hls-directives=device=xc7z020 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN
// RUN: not lut-opt %s --split-input-file --lut-hls-directives=device=xc9000 2>&1 | FileCheck %s --check-prefix=DEVICE
// RUN: not lut-opt %s --split-input-file --lut-hls-directives=column-unroll=3 2>&1 | FileCheck %s --check-prefix=UNROLL
// RUN: not lut-opt %s --split-input-file --lut-hls-directives=bram-fraction=1.5 2>&1 | FileCheck %s --check-prefix=FRACTION

// DEVICE: error: lut-hls-directives: unknown device 'xc9000' (known: xcu250, xcu280, xcvu9p, xczu9eg, xc7z020)
// UNROLL: error: lut-hls-directives: column-unroll=3 does not divide the gather's 64 output columns
// FRACTION: error: lut-hls-directives: bram-fraction and lut-fraction must be in (0, 1], pipeline-ii and max-column-unroll at least 1, column-unroll at least 0

// 64 tables of 16 rows x 64 columns: on an xcu250 the unroll reaches its
// cap (32 columns per cycle); on an xc7z020 (280 BRAM18) 64 banks of 2
// BRAM18 each fit at 8 columns per cycle, not at 16.
// CHECK: memref.global "private" constant @tables : memref<64x16x64xi8> = dense<1> {lut.hls_partition = [{dim = 1 : i64, pragma = "partition", type = "complete"}, {dim = 3 : i64, factor = 32 : i64, pragma = "reshape", type = "cyclic"}], lut.hls_storage = "rom_2p:bram"}
// CHECK-LABEL: func.func @gather(
// CHECK-SAME: %{{.*}}: memref<8x64xi8> {lut.hls_bundle = "gmem0", lut.hls_interface = "m_axi"}, %{{.*}}: memref<8x64xf32> {lut.hls_bundle = "gmem1", lut.hls_interface = "m_axi"})
// CHECK-SAME: attributes {lut.hls_top}
// CHECK: lut.gather_sum {{.*}} {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 32 : i64}
// SMALL: factor = 8 : i64, pragma = "reshape"
// SMALL: lut.gather_sum {{.*}} {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 8 : i64}
memref.global "private" constant @tables : memref<64x16x64xi8> = dense<1>
memref.global "private" constant @scales : memref<64xf32> = dense<0.5>
func.func @gather(%codes: memref<8x64xi8>, %y: memref<8x64xf32>) {
  %t = memref.get_global @tables : memref<64x16x64xi8>
  %s = memref.get_global @scales : memref<64xf32>
  lut.gather_sum %codes, %t scales %s outs(%y : memref<8x64xf32>) : memref<8x64xi8>, memref<64x16x64xi8> scales memref<64xf32>
  return
}

// -----

// Attributes set by the user stay: the storage, the partition and the
// unroll; loops get a pipeline; a private function is not a top.
// CHECK: memref.global "private" constant @t2 : memref<2x4x4xi8> = dense<1> {lut.hls_partition = [{dim = 1 : i64, pragma = "partition", type = "complete"}], lut.hls_storage = "rom_1p:bram"}
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: lut.hls_top
// CHECK: } {lut.hls_pipeline_ii = 1 : i64}
// CHECK-LABEL: func.func @kept(
// CHECK: lut.gather_sum {{.*}} {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 2 : i64}
memref.global "private" constant @t2 : memref<2x4x4xi8> = dense<1> {lut.hls_storage = "rom_1p:bram", lut.hls_partition = [{pragma = "partition", type = "complete", dim = 1}]}
memref.global "private" constant @s2 : memref<4xf32> = dense<0.5>
func.func private @helper(%a: memref<4xf32>) {
  affine.for %i = 0 to 4 {
    %v = affine.load %a[%i] : memref<4xf32>
    affine.store %v, %a[%i] : memref<4xf32>
  }
  return
}
func.func @kept(%codes: memref<3x2xi8>, %y: memref<3x4xf32>) {
  %t = memref.get_global @t2 : memref<2x4x4xi8>
  %s = memref.get_global @s2 : memref<4xf32>
  lut.gather_sum %codes, %t scales %s outs(%y : memref<3x4xf32>) {lut.hls_unroll = 2 : i64} : memref<3x2xi8>, memref<2x4x4xi8> scales memref<4xf32>
  return
}

// -----

// Tables that cannot fit: a warning, and the smallest unroll.
// WARN: warning: lut-hls-directives: the tables need more than 80% of xc7z020's block RAM (or the adders more than 50% of its LUTs) even at 1 column(s) per cycle; the design will not fit (report.md has the counts)
// SMALL: lut.gather_sum {{.*}} {lut.hls_pipeline_ii = 1 : i64, lut.hls_unroll = 1 : i64}
memref.global "private" constant @big : memref<64x256x512xi8> = dense<1>
memref.global "private" constant @bs : memref<512xf32> = dense<0.5>
func.func @huge(%codes: memref<2x64xi8>, %y: memref<2x512xf32>) {
  %t = memref.get_global @big : memref<64x256x512xi8>
  %s = memref.get_global @bs : memref<512xf32>
  lut.gather_sum %codes, %t scales %s outs(%y : memref<2x512xf32>) : memref<2x64xi8>, memref<64x256x512xi8> scales memref<512xf32>
  return
}
