// RUN: lut-opt %s --lut-set-target='triple=aarch64-linux-gnu cpu=neoverse-n1' | FileCheck %s
// RUN: lut-opt %s --lut-set-target | FileCheck %s --check-prefix=HOST

// CHECK: module attributes {llvm.target_triple = "aarch64-linux-gnu", lut.target_cpu = "neoverse-n1"}
// HOST: module attributes {llvm.target_triple = "{{.+}}"}
// HOST-NOT: lut.target_cpu
// CHECK-LABEL: func @f
func.func @f() {
  return
}
