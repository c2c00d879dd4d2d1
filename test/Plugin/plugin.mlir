// The lut dialect and passes in Debian's upstream mlir-opt, from LutPlugin.so.
// Plugin passes are named in --pass-pipeline: mlir-opt makes its --<pass>
// flags before it loads plugins, so --lut-detect-mlp is not one of them.
// (An ASan-built plugin cannot be loaded into the uninstrumented mlir-opt.)
// UNSUPPORTED: asan
// RUN: %mlir_opt %s --load-dialect-plugin=%lut_plugin --load-pass-plugin=%lut_plugin \
// RUN:   --pass-pipeline='builtin.module(func.func(lut-detect-mlp))' | FileCheck %s --check-prefix=DETECT
// RUN: %mlir_opt %s --load-dialect-plugin=%lut_plugin --load-pass-plugin=%lut_plugin \
// RUN:   --pass-pipeline='builtin.module(func.func(lut-detect-mlp), convert-lut-to-linalg)' | FileCheck %s --check-prefix=LOWER
// The printed lut.mlp parses back in mlir-opt (dialect plugin only).
// RUN: %mlir_opt %s --load-dialect-plugin=%lut_plugin --load-pass-plugin=%lut_plugin \
// RUN:   --pass-pipeline='builtin.module(func.func(lut-detect-mlp))' \
// RUN:   | %mlir_opt --load-dialect-plugin=%lut_plugin | FileCheck %s --check-prefix=DETECT

#id = affine_map<(d0, d1) -> (d0, d1)>

// DETECT-LABEL: func.func @ffn
// DETECT: %[[Y:.*]] = lut.mlp "mlp.0" (%arg0) : (tensor<4x8xf32>) -> tensor<4x8xf32> attributes {activation = "relu", d_ff = 16 : i64, d_model = 8 : i64, d_out = 8 : i64}
// DETECT: linalg.matmul
// DETECT: arith.maximumf
// DETECT: linalg.matmul
// DETECT: lut.yield
// DETECT: return %[[Y]]

// LOWER-LABEL: func.func @ffn
// LOWER-NOT: lut.
// LOWER: linalg.matmul
// LOWER: arith.maximumf
// LOWER: linalg.matmul
// LOWER-NOT: lut.
// LOWER: return
func.func @ffn(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<8x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x8xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %z : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %i2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%i2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
