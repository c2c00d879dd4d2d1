// RUN: lut-opt %s --lut-outline-parallel-loops --verify-diagnostics

// A symbol lutk_parallel_for of another type is an error, before anything
// is outlined.
func.func private @lutk_parallel_for(i32)
func.func @clash(%a: memref<256x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %one = arith.constant 1.0 : f32
  // expected-error@+1 {{'lutk_parallel_for' is already declared with type '(i32) -> ()'}}
  scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c512) step (%c1, %c1) {
    memref.store %one, %a[%i, %j] : memref<256x512xf32>
    scf.reduce
  }
  return
}
