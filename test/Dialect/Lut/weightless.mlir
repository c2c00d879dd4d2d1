// The weightless ops (lut.thermometer, lut.lut): round trip in the custom
// and generic forms, on tensors (dynamic N too) and memrefs, and
// bufferization.
// RUN: lut-opt %s | FileCheck %s
// RUN: lut-opt %s | lut-opt | FileCheck %s
// RUN: lut-opt %s --mlir-print-op-generic | lut-opt | FileCheck %s
// RUN: lut-opt %s --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF

// CHECK-LABEL: func @thermometer
// BUF-LABEL: func @thermometer
func.func @thermometer(%x: tensor<4x3xf32>, %t: tensor<3x5xf32>) -> (tensor<4x15xi8>, tensor<4x15xi1>) {
  %e = tensor.empty() : tensor<4x15xi8>
  // CHECK: lut.thermometer %{{.*}}, %{{.*}} outs(%{{.*}} : tensor<4x15xi8>) : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x15xi8>
  // BUF: lut.thermometer %{{.*}}, %{{.*}} outs(%{{.*}} : memref<4x15xi8>) : memref<4x3xf32{{.*}}>, memref<3x5xf32{{.*}}>
  %b = lut.thermometer %x, %t outs(%e : tensor<4x15xi8>) : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x15xi8>
  %e1 = tensor.empty() : tensor<4x15xi1>
  // CHECK: lut.thermometer {{.*}} -> tensor<4x15xi1>
  %b1 = lut.thermometer %x, %t outs(%e1 : tensor<4x15xi1>) : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x15xi1>
  return %b, %b1 : tensor<4x15xi8>, tensor<4x15xi1>
}

// CHECK-LABEL: func @lut_layer
// BUF-LABEL: func @lut_layer
func.func @lut_layer(%bits: tensor<?x15xi8>, %m: tensor<6x3xi32>, %t: tensor<6x8xf32>, %n: index) -> tensor<?x6xf32> {
  %e = tensor.empty(%n) : tensor<?x6xf32>
  // CHECK: lut.lut %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}} : tensor<?x6xf32>) : tensor<?x15xi8>, tensor<6x3xi32>, tensor<6x8xf32> -> tensor<?x6xf32>
  // BUF: lut.lut %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}} : memref<?x6xf32>)
  %y = lut.lut %bits, %m, %t outs(%e : tensor<?x6xf32>) : tensor<?x15xi8>, tensor<6x3xi32>, tensor<6x8xf32> -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}

// CHECK-LABEL: func @on_memrefs
func.func @on_memrefs(%x: memref<2x3xf32>, %t: memref<3x2xf32>, %b: memref<2x6xi1>,
                      %m: memref<4x2xi64>, %tab: memref<4x4xf32>, %y: memref<2x4xf32>) {
  // CHECK: lut.thermometer %{{.*}}, %{{.*}} outs(%{{.*}} : memref<2x6xi1>) : memref<2x3xf32>, memref<3x2xf32>
  lut.thermometer %x, %t outs(%b : memref<2x6xi1>) : memref<2x3xf32>, memref<3x2xf32>
  // CHECK: lut.lut %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}} : memref<2x4xf32>) : memref<2x6xi1>, memref<4x2xi64>, memref<4x4xf32>
  lut.lut %b, %m, %tab outs(%y : memref<2x4xf32>) : memref<2x6xi1>, memref<4x2xi64>, memref<4x4xf32>
  return
}
