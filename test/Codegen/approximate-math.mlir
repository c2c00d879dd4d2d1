// RUN: lut-opt %s --lut-approximate-math | FileCheck %s
// RUN: lut-opt %s --lut-approximate-math=ops=erf | FileCheck %s --check-prefix=ERF

// erf, exp and tanh become polynomial arithmetic (MLIR's approximations),
// not libm calls; `ops` limits which functions are rewritten.
// CHECK-LABEL: func.func @gelu
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: arith.mulf
// ERF-LABEL: func.func @gelu
// ERF-NOT: math.erf
// ERF: math.exp
// ERF: math.tanh
func.func @gelu(%x: f32) -> (f32, f32, f32) {
  %e = math.erf %x : f32
  %x2 = math.exp %x : f32
  %t = math.tanh %x : f32
  return %e, %x2, %t : f32, f32, f32
}
