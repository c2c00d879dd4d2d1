func.func @f(%a: memref<?xf32>) attributes {lut.hls_top} {
  return
}
