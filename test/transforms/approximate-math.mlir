// RUN: %cnnc-opt %s --cnnc-approximate-math | FileCheck %s

// exp and tanh, on vectors and scalars, become polynomial arithmetic (no
// libm call per lane); other math ops are left to convert-math-to-llvm.
// CHECK-LABEL: func.func @activations
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: math.floor {{.*}} : vector<16xf32>
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: math.sqrt %{{.*}} : vector<16xf32>
// CHECK: return
func.func @activations(%x: vector<16xf32>, %s: f32)
    -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, f32) {
  %e = math.exp %x : vector<16xf32>
  %t = math.tanh %x : vector<16xf32>
  %r = math.sqrt %x : vector<16xf32>
  %es = math.exp %s : f32
  return %e, %t, %r, %es : vector<16xf32>, vector<16xf32>, vector<16xf32>, f32
}
