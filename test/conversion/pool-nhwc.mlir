// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc | FileCheck %s
// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc --canonicalize | FileCheck %s --check-prefix=CANCEL

// CHECK: #[[HW:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>

// With nhwc (-O2) pooling runs in NHWC between transposes, padded on the
// spatial dimensions (with -inf for max, and ceil_mode's extra row/column).
// CHECK-LABEL: func.func @maxpool_ceil
// CHECK: %[[IN:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x2x5x5xf32>) outs(%{{.*}} : tensor<1x5x5x2xf32>) permutation = [0, 2, 3, 1]
// CHECK: tensor.pad %[[IN]] low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: %[[MAX:.*]] = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x6x6x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x3x3x2xf32>)
// CHECK: linalg.transpose ins(%[[MAX]] : tensor<1x3x3x2xf32>) outs(%{{.*}} : tensor<1x2x3x3xf32>) permutation = [0, 3, 1, 2]
func.func @maxpool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %y = cnn.maxpool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// The divisors of average pooling index the spatial dimensions, now 1 and 2.
// CHECK-LABEL: func.func @avgpool_exclude_pad
// CHECK-DAG: linalg.pooling_nhwc_sum {{.*}} outs(%{{.*}} : tensor<1x2x2x3xf32>)
// CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01], [5.000000e-01, 2.500000e-01]]> : tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[HW]], #{{.*}}]
// CHECK: arith.mulf
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
func.func @avgpool_exclude_pad(%x: tensor<1x3x3x3xf32>) -> tensor<1x3x2x2xf32> {
  %y = cnn.avgpool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x3x3x3xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// A conv followed by pooling: the transposes between them cancel, leaving
// the layout changes at the model's edges only.
// CANCEL-LABEL: func.func @conv_pool
// CANCEL: linalg.transpose {{.*}} permutation = [0, 2, 3, 1]
// CANCEL-NOT: linalg.transpose
// CANCEL: linalg.conv_2d_nhwc_hwcf
// CANCEL-NOT: linalg.transpose
// CANCEL: linalg.pooling_nhwc_max
// CANCEL-NOT: linalg.transpose
// CANCEL: linalg.pooling_nhwc_sum
// CANCEL: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
// CANCEL-NOT: linalg.transpose
// CANCEL: return
func.func @conv_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x1x1xf32> {
  %w = cnn.weight "c.weight" dense<1.0> : tensor<3x2x1x1xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %p = cnn.maxpool2d %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = false} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  %g = cnn.global_avgpool %p : (tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32>
  return %g : tensor<1x3x1x1xf32>
}
