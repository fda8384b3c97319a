// RUN: %cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// CHECK-DAG: #[[MAP_A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MAP_BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MAP_C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// Zero padding, the bias broadcast into the accumulator, then the named conv.
// CHECK-LABEL: func.func @conv_bias
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 3, 4]
// CHECK: %[[ACC:.*]] = linalg.broadcast ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<1x4x5x5xf32>) dimensions = [0, 2, 3]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %{{.*}} : tensor<1x3x12x14xf32>, tensor<4x3x3x3xf32>) outs(%[[ACC]] : tensor<1x4x5x5xf32>)
func.func @conv_bias(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x5x5xf32> {
  %w = cnn.weight "c.weight" dense<1.0> : tensor<4x3x3x3xf32>
  %b = cnn.weight "c.bias" dense<0.5> : tensor<4xf32>
  %y = cnn.conv2d %x, %w bias %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 2, 3, 4>, dilations = array<i64: 1, 2>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  return %y : tensor<1x4x5x5xf32>
}

// Without bias the accumulator starts at zero; no padding means no pad.
// CHECK-LABEL: func.func @conv_nobias
// CHECK-NOT: tensor.pad
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x6x6xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} outs(%[[ZERO]]
func.func @conv_nobias(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = cnn.weight "c.weight" dense<1.0> : tensor<4x3x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// Groups split the channels: N,G,C/G,H,W x G,F/G,C/G,KH,KW.
// CHECK-LABEL: func.func @conv_depthwise
// The weight's split folds into the constant.
// CHECK-DAG: arith.constant dense<1.000000e+00> : tensor<4x1x1x3x3xf32>
// CHECK-DAG: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 1, 8, 8]
// CHECK: %[[G:.*]] = linalg.conv_2d_ngchw_gfchw {{.*}} -> tensor<1x4x1x6x6xf32>
// CHECK: tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x4x1x6x6xf32> into tensor<1x4x6x6xf32>
func.func @conv_depthwise(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = cnn.weight "dw.weight" dense<1.0> : tensor<4x1x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// dense: x[N, K] times w[M, K] transposed, starting from the bias.
// CHECK-LABEL: func.func @dense
// CHECK: %[[ACC:.*]] = linalg.broadcast ins(%{{.*}} : tensor<10xf32>) outs(%{{.*}} : tensor<2x10xf32>) dimensions = [0]
// CHECK: linalg.matmul indexing_maps = [#[[MAP_A]], #[[MAP_BT]], #[[MAP_C]]] ins(%{{.*}}, %{{.*}} : tensor<2x7xf32>, tensor<10x7xf32>) outs(%[[ACC]] : tensor<2x10xf32>)
func.func @dense(%x: tensor<2x7xf32>) -> tensor<2x10xf32> {
  %w = cnn.weight "fc.weight" dense<1.0> : tensor<10x7xf32>
  %b = cnn.weight "fc.bias" dense<1.0> : tensor<10xf32>
  %y = cnn.dense %x, %w bias %b : (tensor<2x7xf32>, tensor<10x7xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}
