// RUN: lut-opt %s --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s

// The destination-style lut ops bufferize in place: the same ops on memrefs,
// writing the destination's buffer; the destination's old values are not
// read, so a fresh destination needs no copy.
// CHECK-LABEL: func @bufferize
// CHECK-SAME: (%[[X:.*]]: memref<4x8xf32{{.*}}>, %[[P:.*]]: memref<8x16xf32{{.*}}>, %[[T:.*]]: memref<2x256x5xf32{{.*}}>)
// CHECK: %[[C:.*]] = memref.alloc() {{.*}}: memref<4x2xi8>
// CHECK-NOT: memref.copy
// CHECK: lut.lsh_encode %[[X]], %[[P]] bits = 8 outs(%[[C]] : memref<4x2xi8>)
// CHECK: %[[Y:.*]] = memref.alloc() {{.*}}: memref<4x5xf32>
// CHECK: lut.gather_sum %[[C]], %[[T]] outs(%[[Y]] : memref<4x5xf32>)
// CHECK: return %[[Y]]
func.func @bufferize(%x: tensor<4x8xf32>, %p: tensor<8x16xf32>, %t: tensor<2x256x5xf32>) -> tensor<4x5xf32> {
  %ci = tensor.empty() : tensor<4x2xi8>
  %codes = lut.lsh_encode %x, %p bits = 8 outs(%ci : tensor<4x2xi8>) : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x2xi8>
  %yi = tensor.empty() : tensor<4x5xf32>
  %y = lut.gather_sum %codes, %t outs(%yi : tensor<4x5xf32>) : tensor<4x2xi8>, tensor<2x256x5xf32> -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}
