// RUN: %cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// The fused epilogue is one generic after the conv: relu(conv + residual).
// CHECK-LABEL: func.func @conv_residual_relu
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic {{.*}} ins(%[[CONV]], %arg1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
// CHECK: arith.addf
// CHECK: arith.cmpf olt
// CHECK-NEXT: arith.select
func.func @conv_residual_relu(%x: tensor<1x2x4x4xf32>, %skip: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = cnn.weight "c.weight" dense<1.0> : tensor<2x2x1x1xf32>
  %y = cnn.conv2d %x, %w residual %skip {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// CHECK-LABEL: func.func @dense_sigmoid
// CHECK: %[[MM:.*]] = linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%[[MM]] : tensor<1x2xf32>)
// CHECK: math.exp
func.func @dense_sigmoid(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = cnn.weight "fc.weight" dense<1.0> : tensor<2x3xf32>
  %y = cnn.dense %x, %w {activation = #cnn<activation sigmoid>} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
