// RUN: lut-opt %s --split-input-file --lut-pack-tables=row-align=0 | FileCheck %s --check-prefix=I8
// RUN: lut-opt %s --split-input-file --lut-pack-tables="per-table-scales row-align=0" | FileCheck %s --check-prefix=TAB
// RUN: lut-opt %s --split-input-file --lut-pack-tables="table-type=f16 row-align=0" | FileCheck %s --check-prefix=F16
// RUN: lut-opt %s --split-input-file --lut-pack-tables="table-type=bf16 row-align=0" | FileCheck %s --check-prefix=BF16
// RUN: lut-opt %s --split-input-file --lut-pack-tables | FileCheck %s --check-prefix=PAD
// RUN: lut-opt %s --split-input-file --lut-pack-tables="table-type=f16 row-align=16" | FileCheck %s --check-prefix=PAD16
// RUN: not lut-opt %s --lut-pack-tables=row-align=48 2>&1 | FileCheck %s --check-prefix=BADALIGN
// RUN: lut-opt %s --split-input-file --lut-pack-tables=table-type=f32 | FileCheck %s --check-prefix=F32
// RUN: not lut-opt %s --lut-pack-tables=table-type=i4 2>&1 | FileCheck %s --check-prefix=BAD

// Column c's scale is max_{h,r} |T[h, r, c]| / 127 and q = round(T / s):
// column 0 (1, 0.25, -1, 3): s = 3/127, q = 42, 11, -42, 127; column 1
// (-2, 4, 2, -8): q = -32, 64, 32, -127; an all-zero column gets s = 1.
// I8-LABEL: func.func @gather
// I8-DAG: %[[T:.*]] = arith.constant dense_resource<tables.i8> : tensor<2x2x4xi8>
// I8-DAG: %[[S:.*]] = arith.constant dense_resource<tables.scales> : tensor<4xf32>
// I8: lut.gather_sum %{{.*}}, %[[T]] bias %{{.*}} scales %[[S]] outs({{.*}}) : tensor<3x2xi8>, tensor<2x2x4xi8> bias tensor<4xf32> scales tensor<4xf32>
// I8: tables.i8: "0x010000002AE040000B40C000D62010007F817F00"
// I8: tables.scales: "0x040000000683C13C0402813D0402013C0000803F"
// TAB-LABEL: func.func @gather
// TAB: scales tensor<2x4xf32>
// F16-LABEL: func.func @gather
// F16: lut.gather_sum {{.*}} : tensor<3x2xi8>, tensor<2x2x4xf16> bias tensor<4xf32> -> tensor<3x4xf32>
// F16: tables.f16: "0x02000000003C00C0003800000034004400B8000000BC004000300000004200C8003C0000"
// BF16-LABEL: func.func @gather
// BF16: tensor<2x2x4xbf16>
// F32-LABEL: func.func @gather
// F32: tensor<2x2x4xf32>
// BAD: for the --table-type option: Cannot find option named 'i4'!

// Rows padded to 64 bytes (the default): 4 i8 entries stored as 64, the op
// reads the 2x2x4 part; the padding is zeros.
// PAD-LABEL: func.func @gather
// PAD: %[[T:.*]] = arith.constant dense_resource<tables.i8> : tensor<2x2x64xi8>
// PAD: %[[V:.*]] = tensor.extract_slice %[[T]][0, 0, 0] [2, 2, 4] [1, 1, 1] : tensor<2x2x64xi8> to tensor<2x2x4xi8>
// PAD: lut.gather_sum %{{.*}}, %[[V]] bias {{.*}} : tensor<3x2xi8>, tensor<2x2x4xi8>
// PAD: tables.i8: "0x010000002AE04000{{(00)+}}0B40C000{{(00)+}}D6201000{{(00)+}}7F817F00{{(00)+}}"
// 16-byte rows of f16: 4 entries stored as 8.
// PAD16: arith.constant dense_resource<tables.f16> : tensor<2x2x8xf16>
// PAD16: tensor.extract_slice {{.*}} [2, 2, 4] [1, 1, 1] : tensor<2x2x8xf16> to tensor<2x2x4xf16>
// BADALIGN: lut-pack-tables: row-align=48 must be 0 or a power of two up to 4096 (bytes)
func.func @gather(%codes: tensor<3x2xi8>) -> tensor<3x4xf32> {
  %t = arith.constant dense<[[[1.0, -2.0, 0.5, 0.0], [0.25, 4.0, -0.5, 0.0]],
                             [[-1.0, 2.0, 0.125, 0.0], [3.0, -8.0, 1.0, 0.0]]]> : tensor<2x2x4xf32>
  %b = arith.constant dense<[0.5, 0.5, 0.5, 0.5]> : tensor<4xf32>
  %init = tensor.empty() : tensor<3x4xf32>
  %y = lut.gather_sum %codes, %t bias %b outs(%init : tensor<3x4xf32>) : tensor<3x2xi8>, tensor<2x2x4xf32> bias tensor<4xf32> -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Tables that are not a constant, or already packed, are left alone.
// I8-LABEL: func.func @untouched
// I8: lut.gather_sum %{{.*}}, %{{.*}} outs({{.*}}) : tensor<3x2xi8>, tensor<2x2x4xf32> -> tensor<3x4xf32>
// I8: lut.gather_sum {{.*}} scales {{.*}} : tensor<3x2xi8>, tensor<2x2x4xi8> scales tensor<4xf32> -> tensor<3x4xf32>
func.func @untouched(%codes: tensor<3x2xi8>, %t: tensor<2x2x4xf32>, %q: tensor<2x2x4xi8>,
                     %s: tensor<4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %init = tensor.empty() : tensor<3x4xf32>
  %y = lut.gather_sum %codes, %t outs(%init : tensor<3x4xf32>) : tensor<3x2xi8>, tensor<2x2x4xf32> -> tensor<3x4xf32>
  %z = lut.gather_sum %codes, %q scales %s outs(%init : tensor<3x4xf32>) : tensor<3x2xi8>, tensor<2x2x4xi8> scales tensor<4xf32> -> tensor<3x4xf32>
  return %y, %z : tensor<3x4xf32>, tensor<3x4xf32>
}
