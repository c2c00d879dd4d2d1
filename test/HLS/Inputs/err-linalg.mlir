func.func @f(%a: memref<4xf32>, %b: memref<4xf32>) attributes {lut.hls_top} {
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  return
}
