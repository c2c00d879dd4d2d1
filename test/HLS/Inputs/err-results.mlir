func.func @f(%a: f32) -> f32 attributes {lut.hls_top} {
  return %a : f32
}
