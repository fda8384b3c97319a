// RUN: %cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-DAG: #[[CHAN:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>

// CHECK-LABEL: func.func @activations
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: arith.mulf
// mish: x * n / (n + 2) with n = e^x (e^x + 2); x itself above 20.
// CHECK: %[[E:.*]] = math.exp %[[X:.*]] : f32
// CHECK: %[[E2:.*]] = arith.addf %[[E]], %{{.*}} : f32
// CHECK: %[[N:.*]] = arith.mulf %[[E]], %[[E2]] : f32
// CHECK: %[[N2:.*]] = arith.addf %[[N]], %{{.*}} : f32
// CHECK: %[[F:.*]] = arith.divf %[[N]], %[[N2]] : f32
// CHECK: %[[BIG:.*]] = arith.cmpf ogt, %[[X]], %{{.*}} : f32
// CHECK: %[[M:.*]] = arith.mulf %[[X]], %[[F]] : f32
// CHECK: arith.select %[[BIG]], %[[X]], %[[M]] : f32
func.func @activations(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %a = cnn.relu %x : tensor<1x2x3x3xf32>
  %b = cnn.relu6 %a : tensor<1x2x3x3xf32>
  %c = cnn.leaky_relu %b {alpha = 0.1 : f64} : tensor<1x2x3x3xf32>
  %d = cnn.sigmoid %c : tensor<1x2x3x3xf32>
  %e = cnn.tanh %d : tensor<1x2x3x3xf32>
  %f = cnn.silu %e : tensor<1x2x3x3xf32>
  %g = cnn.mish %f : tensor<1x2x3x3xf32>
  return %g : tensor<1x2x3x3xf32>
}

// Broadcasting is an indexing map that reads index 0 of size-1 dimensions.
// CHECK-LABEL: func.func @broadcast_mul
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BCAST]], #[[ID]]]
// CHECK: arith.mulf
func.func @broadcast_mul(%x: tensor<1x2x3x3xf32>, %g: tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %y = cnn.mul %x, %g : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @batchnorm
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CHAN]], #[[CHAN]], #[[CHAN]], #[[CHAN]], #[[ID]]]
// CHECK: math.sqrt
func.func @batchnorm(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %p = cnn.weight "bn.weight" dense<1.0> : tensor<2xf32>
  %y = cnn.batchnorm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// Softmax: a max reduction, a sum of shifted exponentials, a division.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %y = cnn.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}
