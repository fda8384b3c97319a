// RUN: %cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-DAG: #[[CHAN:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>

// relu and relu6 clamp with a compare and a select (a NaN stays NaN).
// CHECK-LABEL: func.func @activations
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[X:.*]], %[[ZERO:.*]] : f32
// CHECK: arith.select %[[NEG]], %[[ZERO]], %[[X]] : f32
// CHECK: arith.cmpf olt
// CHECK: %[[R:.*]] = arith.select
// CHECK: %[[BIG:.*]] = arith.cmpf ogt, %[[R]], %[[SIX:.*]] : f32
// CHECK: arith.select %[[BIG]], %[[SIX]], %[[R]] : f32
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

// hardsigmoid: clamp(alpha * x + beta, 0, 1); hardswish multiplies x by it
// with alpha = 1/6, beta = 1/2.
// CHECK-LABEL: func.func @hard_activations
// CHECK: linalg.generic
// CHECK: %[[A:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[B:.*]] = arith.addf %[[A]]
// CHECK: %[[AB:.*]] = arith.cmpf ogt, %[[B]]
// CHECK: %[[C:.*]] = arith.select %[[AB]], %{{.*}}, %[[B]]
// CHECK: %[[BE:.*]] = arith.cmpf olt, %[[C]]
// CHECK: arith.select %[[BE]], %{{.*}}, %[[C]]
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.mulf %[[X]]
// CHECK: arith.addf
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.cmpf olt
// CHECK: %[[H:.*]] = arith.select
// CHECK: arith.mulf %[[X]], %[[H]]
func.func @hard_activations(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %a = cnn.hardsigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<1x2x3x3xf32>
  %b = cnn.hardswish %a : tensor<1x2x3x3xf32>
  return %b : tensor<1x2x3x3xf32>
}

// A clip applies only the bounds it has.
// CHECK-LABEL: func.func @clip
// CHECK: arith.cmpf olt
// CHECK: %[[LO:.*]] = arith.select
// CHECK: arith.cmpf ogt, %[[LO]]
// CHECK: %[[HI:.*]] = arith.select
// CHECK-NEXT: linalg.yield %[[HI]]
// CHECK: linalg.generic
// CHECK-NOT: arith.cmpf olt
// CHECK: arith.cmpf ogt
// CHECK: %[[HI2:.*]] = arith.select
// CHECK-NEXT: linalg.yield %[[HI2]]
func.func @clip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = cnn.clip %x {min = -1.0 : f64, max = 1.0 : f64} : tensor<2x3xf32>
  %b = cnn.clip %a {max = 0.5 : f64} : tensor<2x3xf32>
  return %b : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @sub_div
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BCAST]], #[[ID]]]
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[BCAST]], #[[ID]], #[[ID]]]
// CHECK: arith.divf
func.func @sub_div(%x: tensor<1x2x3x3xf32>, %g: tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %a = cnn.sub %x, %g : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %b = cnn.div %g, %a : (tensor<1x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %b : tensor<1x2x3x3xf32>
}

// cnn.unary builds its function's formula; pow by a small integer or 0.5 is
// multiplications or a square root, by other constants math.powf. The
// binary pow, max and min broadcast like add.
// CHECK-LABEL: func.func @math
// CHECK: math.erf
// CHECK: math.exp
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.cmpf oge
// CHECK: arith.select
// CHECK: %[[SQ:.*]] = arith.mulf %[[IN:.*]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[SQ]]
// CHECK: math.sqrt
// CHECK: math.powf %{{.*}}, %{{.*}} : f32
// CHECK: math.powf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @math(%x: tensor<2x5xf32>, %y: tensor<1x5xf32>) -> tensor<2x5xf32> {
  %e = cnn.unary erf %x : tensor<2x5xf32>
  %l = cnn.unary elu %e {p0 = 0.5 : f64} : tensor<2x5xf32>
  %s = cnn.unary pow %l {p0 = 2.0 : f64} : tensor<2x5xf32>
  %r = cnn.unary pow %s {p0 = 0.5 : f64} : tensor<2x5xf32>
  %c = cnn.unary pow %r {p0 = 1.5 : f64} : tensor<2x5xf32>
  %p = cnn.pow %c, %y : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %m = cnn.max %p, %y : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %n = cnn.min %y, %m : (tensor<1x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return %n : tensor<2x5xf32>
}

// A reduction accumulates into a tensor without the reduced axes (what
// linalg's vectorizer expects), expanded back to 1s; mean divides by the
// count, log_sum_exp subtracts a first reduction's maximum.
// CHECK-LABEL: func.func @reductions
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1, 1, 1] : tensor<f32> into tensor<1x1x1xf32>
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.addf
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x1xf32>) {
  %m = cnn.reduce mean %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %l = cnn.reduce log_sum_exp %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  return %m, %l : tensor<2x1x4xf32>, tensor<1x1x1xf32>
}
