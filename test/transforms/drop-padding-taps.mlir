// RUN: %cnnc-opt %s --cnn-drop-padding-taps | FileCheck %s

// Dilation 24 on a 14 x 14 map: only the centre tap reads the input, for
// every output pixel; the conv becomes a 1 x 1 conv without padding, its
// weight the centre column.
// CHECK-LABEL: func.func @atrous
// CHECK: %[[W:.*]] = cnn.weight "w.live" dense_resource<w.live> : tensor<4x2x1x1xf32>
// CHECK: cnn.conv2d %arg0, %[[W]] {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
func.func @atrous(%x: tensor<1x2x14x14xf32>) -> tensor<1x4x14x14xf32> {
  %w = cnn.weight "w" dense<1.0> : tensor<4x2x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 24, 24, 24, 24>, dilations = array<i64: 24, 24>, groups = 1 : i64} : (tensor<1x2x14x14xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x14x14xf32>
  return %y : tensor<1x4x14x14xf32>
}

// Dilation 12 on 14 x 14: the outer taps read rows 12 and 13 for some
// outputs, so all stay; rows only: a 1-row input padded by 1 reads it
// with the middle kernel row alone (columns all live), no row padding left.
// CHECK-LABEL: func.func @rows_only
// CHECK: %[[R:.*]] = cnn.weight "r.live" dense_resource<r.live> : tensor<4x2x1x3xf32>
// CHECK: cnn.conv2d %arg0, %{{.*}} {dilations = array<i64: 12, 12>, groups = 1 : i64, padding = array<i64: 12, 12, 12, 12>
// CHECK: cnn.conv2d %arg1, %[[R]] {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 1, 1>}
func.func @rows_only(%x: tensor<1x2x14x14xf32>, %row: tensor<1x2x1x8xf32>) -> (tensor<1x4x14x14xf32>, tensor<1x4x1x8xf32>) {
  %w = cnn.weight "w" dense<1.0> : tensor<4x2x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 12, 12, 12, 12>, dilations = array<i64: 12, 12>, groups = 1 : i64} : (tensor<1x2x14x14xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x14x14xf32>
  %r = cnn.weight "r" dense<2.0> : tensor<4x2x3x3xf32>
  %z = cnn.conv2d %row, %r {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x1x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x1x8xf32>
  return %y, %z : tensor<1x4x14x14xf32>, tensor<1x4x1x8xf32>
}
