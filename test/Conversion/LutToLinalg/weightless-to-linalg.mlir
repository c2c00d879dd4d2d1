// The reference lowering of lut.thermometer and lut.lut (also under
// keep-table-ops, which keeps only lsh_encode and gather_sum).
// RUN: lut-opt %s --convert-lut-to-linalg | FileCheck %s
// RUN: lut-opt %s --convert-lut-to-linalg="keep-table-ops" | FileCheck %s
// RUN: lut-opt %s --convert-lut-to-linalg --one-shot-bufferize="bufferize-function-boundaries" -o /dev/null

// CHECK-LABEL: func @thermometer
func.func @thermometer(%x: tensor<?x3xf32>, %t: tensor<3x5xf32>, %n: index) -> tensor<?x15xi8> {
  %e = tensor.empty(%n) : tensor<?x15xi8>
  // CHECK: %[[E3:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [%{{.*}}, 3, 5] : tensor<?x15xi8> into tensor<?x3x5xi8>
  // CHECK: %[[G:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<3x5xf32>) outs(%[[E3]] : tensor<?x3x5xi8>)
  // CHECK: %[[GT:.*]] = arith.cmpf ogt
  // CHECK: arith.extui %[[GT]] : i1 to i8
  // CHECK: tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2]] : tensor<?x3x5xi8> into tensor<?x15xi8>
  // CHECK-NOT: lut.
  %b = lut.thermometer %x, %t outs(%e : tensor<?x15xi8>) : tensor<?x3xf32>, tensor<3x5xf32> -> tensor<?x15xi8>
  return %b : tensor<?x15xi8>
}

// CHECK-LABEL: func @lut_layer
func.func @lut_layer(%bits: tensor<4x15xi1>, %m: tensor<6x3xi64>, %t: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %e = tensor.empty() : tensor<4x6xf32>
  // CHECK: %[[A0:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : tensor<4x6xi32>)
  // CHECK: %[[A:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<6x3xi64>) outs(%[[A0]] : tensor<4x6xi32>)
  // CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<4x15xi1>
  // CHECK: arith.shli
  // CHECK: arith.ori
  // CHECK: linalg.generic {{.*}} ins(%[[A]] : tensor<4x6xi32>) outs(%{{.*}} : tensor<4x6xf32>)
  // CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<6x8xf32>
  // CHECK-NOT: lut.
  %y = lut.lut %bits, %m, %t outs(%e : tensor<4x6xf32>) : tensor<4x15xi1>, tensor<6x3xi64>, tensor<6x8xf32> -> tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}
