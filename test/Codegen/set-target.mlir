// RUN: lut-opt %s --lut-set-target='triple=aarch64-linux-gnu cpu=neoverse-n1' | FileCheck %s
// RUN: lut-opt %s --lut-set-target | FileCheck %s --check-prefix=HOST
// RUN: lut-opt %s --lut-set-target='triple=aarch64-linux-gnu' | FileCheck %s --check-prefix=CROSS
// RUN: lut-opt %s --lut-set-target='cpu=generic' | FileCheck %s --check-prefix=GENERIC
// RUN: lut-opt %s --lut-set-target='triple=x86_64-linux-gnu cpu=x86-64-v3' | FileCheck %s --check-prefix=V3
// RUN: lut-opt %s --lut-set-target='triple=x86_64-linux-gnu cpu=x86-64-v2 features=+avx2,-sse4.2' | FileCheck %s --check-prefix=EXPLICIT

// A named CPU records the features LLVM says it implies.
// CHECK: module attributes {llvm.target_triple = "aarch64-linux-gnu", lut.target_cpu = "neoverse-n1", lut.target_features = "{{.*}}+dotprod{{.*}}+neon{{.*}}"}

// No options: the host's triple, CPU and features.
// HOST: module attributes {llvm.target_triple = "{{.+}}", lut.target_cpu = "{{.+}}", lut.target_features = "{{.+}}"}

// A cross triple without a CPU stays generic: nothing recorded.
// CROSS: module attributes {llvm.target_triple = "aarch64-linux-gnu"}
// CROSS-NOT: lut.target

// `generic` is kept, with no features.
// GENERIC: module attributes {llvm.target_triple = "{{.+}}", lut.target_cpu = "generic"}
// GENERIC-NOT: lut.target_features

// V3: lut.target_cpu = "x86-64-v3", lut.target_features = "{{.*}}+avx2,{{.*}}+fma,{{.*}}"
// V3-NOT: avx512

// Explicit features are recorded as given.
// EXPLICIT: lut.target_cpu = "x86-64-v2", lut.target_features = "+avx2,-sse4.2"

// CHECK-LABEL: func @f
func.func @f() {
  return
}
