func.func @f(%a: memref<4xi32>) attributes {lut.hls_top} {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  scf.while : () -> () {
    %v = memref.load %a[%c0] : memref<4xi32>
    %cond = arith.cmpi sgt, %v, %z : i32
    scf.condition(%cond)
  } do {
    %v = memref.load %a[%c0] : memref<4xi32>
    %w = arith.subi %v, %one : i32
    memref.store %w, %a[%c0] : memref<4xi32>
    scf.yield
  }
  return
}
