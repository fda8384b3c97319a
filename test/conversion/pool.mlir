// RUN: %cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// Max pooling pads with -inf, including the extra row/column ceil_mode needs.
// CHECK-LABEL: func.func @maxpool_ceil
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[NEG]]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>)
func.func @maxpool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %y = cnn.maxpool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// Average pooling sums, then multiplies by PyTorch's per-window reciprocal
// divisor: without count_include_pad the border windows count fewer cells.
// CHECK-LABEL: func.func @avgpool_exclude_pad
// CHECK-DAG: linalg.pooling_nchw_sum
// Corner windows hold 1 real cell, edge windows 2, the centre 4.
// CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01], [5.000000e-01, 2.500000e-01]]> : tensor<2x2xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: arith.mulf
func.func @avgpool_exclude_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = cnn.avgpool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// CHECK-LABEL: func.func @avgpool_include_pad
// Window (0,0) covers 1 real + 3 padded cells, but counts all 4.
// CHECK: arith.constant dense<2.500000e-01> : tensor<2x2xf32>
func.func @avgpool_include_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = cnn.avgpool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// CHECK-LABEL: func.func @global_avgpool
// CHECK-DAG: linalg.pooling_nchw_sum {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x8x7x7xf32>, tensor<7x7xf32>)
// CHECK-DAG: arith.constant 0.0204081628 : f32
func.func @global_avgpool(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32> {
  %y = cnn.global_avgpool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
  return %y : tensor<1x8x1x1xf32>
}
