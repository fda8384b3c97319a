// RUN: %cnnc-opt %s --convert-cnn-to-linalg="nhwc min-group-width=8" --canonicalize | FileCheck %s
// RUN: %cnnc-opt %s --convert-cnn-to-linalg="nhwc min-group-width=1" --canonicalize | FileCheck %s --check-prefix=UNMERGED
// RUN: %cnnc-opt %s --convert-cnn-to-linalg --canonicalize | FileCheck %s --check-prefix=NCHW

// A grouped conv in NHWC: channels split as [G, C/G] by views, weights
// repacked as [G, KH, KW, C/G, F/G], one generic over (n, oh, ow, g, f, kh,
// kw, c) tagged cnnc.grouped_conv with strides and dilations in its input
// map; the bias and the epilogue (residual, activation) on [N, OH, OW, G,
// F/G], then collapsed back.
// CHECK-DAG: #[[IMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 3 + d5 * 2, d2 * 3 + d6 * 2, d3, d7)>
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
// CHECK-DAG: #[[OMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @wide
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<2x8xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<wide.weight.ghwcf> : tensor<1152xf32>
// CHECK: tensor.expand_shape %[[W]] {{.*}} into tensor<2x3x3x8x8xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<2x8xf32>) outs({{.*}} : tensor<1x3x3x2x8xf32>) dimensions = [0, 1, 2]
// CHECK: %[[IN:.*]] = tensor.expand_shape {{.*}} into tensor<1x12x12x2x8xf32>
// CHECK: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[IMAP]], #[[WMAP]], #[[OMAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[IN]], {{.*}} : tensor<1x12x12x2x8xf32>, tensor<2x3x3x8x8xf32>) outs(%[[INIT]] : tensor<1x3x3x2x8xf32>) attrs = {cnnc.grouped_conv = 1 : i64}
// CHECK: linalg.generic {{.*}} ins(%[[CONV]], {{.*}} : tensor<1x3x3x2x8xf32>, tensor<1x3x3x2x8xf32>)
// CHECK: arith.addf
// CHECK: arith.select
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x3x3x16xf32>
// NCHW-LABEL: func.func @wide
// NCHW: linalg.conv_2d_ngchw_gfchw
func.func @wide(%x: tensor<1x16x10x10xf32>, %r: tensor<1x16x3x3xf32>) -> tensor<1x16x3x3xf32> {
  %w = cnn.weight "wide.weight" dense<1.0> : tensor<16x8x3x3xf32>
  %b = cnn.weight "wide.bias" dense<0.5> : tensor<16xf32>
  %y = cnn.conv2d %x, %w bias %b residual %r {strides = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>, groups = 2 : i64, activation = #cnn<activation relu>} : (tensor<1x16x10x10xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>, tensor<1x16x3x3xf32>) -> tensor<1x16x3x3xf32>
  return %y : tensor<1x16x3x3xf32>
}

// Groups of 4 output channels, narrower than 8: merged two at a time into 4
// groups of 8 input and 8 output channels with block-diagonal weights (the
// name says how many groups are left), the merge count on the generic.
// CHECK-LABEL: func.func @narrow
// CHECK: dense_resource<narrow.weight.g4.ghwcf> : tensor<512xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<4x1x1x16x8xf32>
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<1x6x6x4x16xf32>, tensor<4x1x1x16x8xf32>) outs({{.*}} : tensor<1x6x6x4x8xf32>) attrs = {cnnc.grouped_conv = 2 : i64}
// UNMERGED-LABEL: func.func @narrow
// UNMERGED: dense_resource<narrow.weight.ghwcf> : tensor<256xf32>
// UNMERGED: attrs = {cnnc.grouped_conv = 1 : i64}
func.func @narrow(%x: tensor<1x64x6x6xf32>) -> tensor<1x32x6x6xf32> {
  %w = cnn.weight "narrow.weight" dense<1.0> : tensor<32x8x1x1xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x64x6x6xf32>, tensor<32x8x1x1xf32>) -> tensor<1x32x6x6xf32>
  return %y : tensor<1x32x6x6xf32>
}

// Two groups of 3 channels: merged into one, a plain conv with
// block-diagonal weights.
// CHECK-LABEL: func.func @all_merged
// CHECK: dense_resource<all.weight.g1.hwcf> : tensor<324xf32>
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: cnnc.grouped_conv
func.func @all_merged(%x: tensor<1x6x8x8xf32>) -> tensor<1x6x6x6xf32> {
  %w = cnn.weight "all.weight" dense<1.0> : tensor<6x3x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x6x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// A depthwise conv keeps its own kernel; one with a channel multiplier (one
// input, two output channels a group) is a grouped conv like the others.
// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK-LABEL: func.func @multiplier
// CHECK: dense_resource<mult.weight.g2.ghwcf> : tensor<576xf32>
// CHECK: attrs = {cnnc.grouped_conv = 4 : i64}
func.func @depthwise(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x4x4xf32> {
  %w = cnn.weight "dw.weight" dense<1.0> : tensor<8x1x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}
func.func @multiplier(%x: tensor<1x8x6x6xf32>) -> tensor<1x16x4x4xf32> {
  %w = cnn.weight "mult.weight" dense<1.0> : tensor<16x1x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x8x6x6xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %y : tensor<1x16x4x4xf32>
}
