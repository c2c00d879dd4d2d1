// RUN: lut-opt %s --lut-expand-arith | FileCheck %s

// Float min/max stay ops (arith-to-llvm makes them llvm.intr.maximum and
// friends, which LLVM vectorizes in reductions).
// CHECK-LABEL: func.func @minmax_kept
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.maxnumf
// CHECK-NOT: arith.select
func.func @minmax_kept(%a: f32, %b: f32) -> (f32, f32, f32) {
  %0 = arith.maximumf %a, %b : f32
  %1 = arith.minimumf %a, %b : f32
  %2 = arith.maxnumf %a, %b : f32
  return %0, %1, %2 : f32, f32, f32
}

// Division rounding toward +/- infinity and bf16 conversions are expanded,
// as arith-expand does.
// CHECK-LABEL: func.func @expanded
// CHECK-NOT: arith.ceildivsi
// CHECK-NOT: arith.floordivsi
// CHECK-NOT: arith.truncf
// CHECK: arith.divsi
func.func @expanded(%a: i32, %b: i32, %f: f32) -> (i32, i32, bf16) {
  %0 = arith.ceildivsi %a, %b : i32
  %1 = arith.floordivsi %a, %b : i32
  %2 = arith.truncf %f : f32 to bf16
  return %0, %1, %2 : i32, i32, bf16
}
