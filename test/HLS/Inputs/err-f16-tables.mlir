func.func @f(%c: memref<2x1xi8>, %t: memref<1x4x3xf16>, %y: memref<2x3xf32>) attributes {lut.hls_top} {
  lut.gather_sum %c, %t outs(%y : memref<2x3xf32>) : memref<2x1xi8>, memref<1x4x3xf16>
  return
}
