func.func @f(%n: index) attributes {lut.hls_top} {
  %a = memref.alloc(%n) : memref<?xf32>
  return
}
