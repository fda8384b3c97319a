// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc | FileCheck %s

// groups == 1: NHWC activations (transposes at the edges), HWCF weights
// repacked at compile time, bias broadcast over channels (the last dim).
// CHECK-LABEL: func.func @conv
// CHECK: %[[FLAT:.*]] = arith.constant dense_resource<c.weight.hwcf> : tensor<108xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{.*}} into tensor<3x3x3x4xf32>
// CHECK: %[[IN:.*]] = linalg.transpose ins(%arg0 : tensor<1x3x8x8xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[PAD:.*]] = tensor.pad %[[IN]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.broadcast ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<1x8x8x4xf32>) dimensions = [0, 1, 2]
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[PAD]], %{{.*}} : tensor<1x10x10x3xf32>, tensor<3x3x3x4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<1x8x8x4xf32>)
// CHECK: arith.cmpf olt
// CHECK-NEXT: arith.select
// CHECK: linalg.transpose ins(%[[R]] : tensor<1x8x8x4xf32>) {{.*}} permutation = [0, 3, 1, 2]
func.func @conv(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = cnn.weight "c.weight" dense<1.0> : tensor<4x3x3x3xf32>
  %b = cnn.weight "c.bias" dense<0.5> : tensor<4xf32>
  %y = cnn.conv2d %x, %w bias %b {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// Depthwise (groups == C == F): an HWC weight and the depthwise named op.
// CHECK-LABEL: func.func @depthwise
// CHECK: arith.constant dense_resource<dw.weight.hwc> : tensor<36xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} -> tensor<1x4x4x4xf32>
func.func @depthwise(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w = cnn.weight "dw.weight" dense<1.0> : tensor<4x1x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// Other groupings: conv-grouped.mlir.

// 255 filters, which no vector tile divides: computed as 256 (a zero filter
// and a zero bias added at compile time), the activation applied to all,
// the 255 real channels sliced off before the layout change.
// CHECK-LABEL: func.func @odd_filters
// CHECK-NOT: tensor.pad
// CHECK: arith.constant dense_resource<h.bias.padded> : tensor<256xf32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.broadcast ins(%{{.*}} : tensor<256xf32>) outs(%{{.*}} : tensor<1x4x4x256xf32>)
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} tensor<1x4x4x8xf32>, tensor<1x1x8x256xf32>) {{.*}} -> tensor<1x4x4x256xf32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<1x4x4x256xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[R]][0, 0, 0, 0] [1, 4, 4, 255] [1, 1, 1, 1] : tensor<1x4x4x256xf32> to tensor<1x4x4x255xf32>
// CHECK: linalg.transpose ins(%[[S]] : tensor<1x4x4x255xf32>)
func.func @odd_filters(%x: tensor<1x8x4x4xf32>) -> tensor<1x255x4x4xf32> {
  %w = cnn.weight "h.weight" dense<1.0> : tensor<255x8x1x1xf32>
  %b = cnn.weight "h.bias" dense<0.5> : tensor<255xf32>
  %y = cnn.conv2d %x, %w bias %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x8x4x4xf32>, tensor<255x8x1x1xf32>, tensor<255xf32>) -> tensor<1x255x4x4xf32>
  return %y : tensor<1x255x4x4xf32>
}

// With a residual (which would need padding too) the filters stay as they are.
// CHECK-LABEL: func.func @odd_filters_residual
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x4x4x20xf32>
// CHECK-NOT: tensor.extract_slice
func.func @odd_filters_residual(%x: tensor<1x8x4x4xf32>, %r: tensor<1x20x4x4xf32>) -> tensor<1x20x4x4xf32> {
  %w = cnn.weight "o.weight" dense<1.0> : tensor<20x8x1x1xf32>
  %y = cnn.conv2d %x, %w residual %r {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<20x8x1x1xf32>, tensor<1x20x4x4xf32>) -> tensor<1x20x4x4xf32>
  return %y : tensor<1x20x4x4xf32>
}

// A pointwise conv over 13-pixel rows (no 4- to 8-pixel tile divides them)
// computes on its 169 pixels as one row padded to 176, the residual padded
// alike; the real pixels are a slice of the row's head, back to 13x13.
// CHECK-LABEL: func.func @pixels_as_row
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] : tensor<1x13x13x8xf32> into tensor<169x8xf32>
// CHECK: %[[XP:.*]] = tensor.pad %[[X]] low[0, 0] high[7, 0]
// CHECK: %[[XR:.*]] = tensor.expand_shape %[[XP]] {{.*}} : tensor<176x8xf32> into tensor<1x1x176x8xf32>
// CHECK: %[[RP:.*]] = tensor.pad %{{.*}} low[0, 0] high[7, 0]
// CHECK: %[[RR:.*]] = tensor.expand_shape %[[RP]] {{.*}} : tensor<176x16xf32> into tensor<1x1x176x16xf32>
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[XR]], %{{.*}} : tensor<1x1x176x8xf32>, tensor<1x1x8x16xf32>) {{.*}} -> tensor<1x1x176x16xf32>
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[C]], %[[RR]] : tensor<1x1x176x16xf32>, tensor<1x1x176x16xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 1, 169, 16] [1, 1, 1, 1] : tensor<1x1x176x16xf32> to tensor<169x16xf32>
// CHECK: %[[Y:.*]] = tensor.expand_shape %[[S]] {{.*}} : tensor<169x16xf32> into tensor<1x13x13x16xf32>
// CHECK: linalg.transpose ins(%[[Y]] : tensor<1x13x13x16xf32>)
func.func @pixels_as_row(%x: tensor<1x8x13x13xf32>, %r: tensor<1x16x13x13xf32>) -> tensor<1x16x13x13xf32> {
  %w = cnn.weight "p.weight" dense<1.0> : tensor<16x8x1x1xf32>
  %b = cnn.weight "p.bias" dense<0.5> : tensor<16xf32>
  %y = cnn.conv2d %x, %w bias %b residual %r {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x8x13x13xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>, tensor<1x16x13x13xf32>) -> tensor<1x16x13x13xf32>
  return %y : tensor<1x16x13x13xf32>
}

// Rows that a 4- to 8-pixel tile divides (10 = 2 x 5), a 3x3 kernel, or too
// few pixels (3x7 = 21) stay as they are.
// CHECK-LABEL: func.func @pixels_stay
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x10x10x16xf32>
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x13x13x16xf32>
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x3x7x16xf32>
// CHECK-NOT: tensor.collapse_shape
func.func @pixels_stay(%x: tensor<1x8x10x10xf32>, %x3: tensor<1x8x13x13xf32>, %x7: tensor<1x8x3x7xf32>) -> (tensor<1x16x10x10xf32>, tensor<1x16x13x13xf32>, tensor<1x16x3x7xf32>) {
  %w = cnn.weight "s.weight" dense<1.0> : tensor<16x8x1x1xf32>
  %w3 = cnn.weight "s3.weight" dense<1.0> : tensor<16x8x3x3xf32>
  %a = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x10x10xf32>
  %b = cnn.conv2d %x3, %w3 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x13x13xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x13x13xf32>
  %c = cnn.conv2d %x7, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x3x7xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x3x7xf32>
  return %a, %b, %c : tensor<1x16x10x10xf32>, tensor<1x16x13x13xf32>, tensor<1x16x3x7xf32>
}

// 7-pixel rows (a 7x7 map), which a 7-pixel tile divides: all 49 pixels as
// one row, padded to 56.
// CHECK-LABEL: func.func @pixels_7x7
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x56x8xf32>, tensor<1x1x8x16xf32>) {{.*}} -> tensor<1x1x56x16xf32>
// CHECK: tensor.extract_slice {{.*}} [1, 1, 49, 16] [1, 1, 1, 1] : tensor<1x1x56x16xf32> to tensor<49x16xf32>
func.func @pixels_7x7(%x: tensor<1x8x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %w = cnn.weight "s7.weight" dense<1.0> : tensor<16x8x1x1xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x7x7xf32>
  return %y : tensor<1x16x7x7xf32>
}

// With 12 accumulators a register tile (a 16-register target), a 7-column
// output is computed as 8: the input gets one more zero column (here
// padding 1 + 1 on the right), the residual one zero column, and the 7 real
// columns are sliced off the epilogue's result. With the default (24) it
// stays 7 columns wide.
// RUN: %cnnc-opt %s --convert-cnn-to-linalg="nhwc max-accumulators=12" | FileCheck %s --check-prefix=COLS
// COLS-LABEL: func.func @seven_columns
// COLS: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 2, 0]
// COLS: } : tensor<1x7x7x8xf32> to tensor<1x9x10x8xf32>
// COLS: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 0]
// COLS: } : tensor<1x7x7x16xf32> to tensor<1x7x8x16xf32>
// COLS: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x7x8x16xf32>
// COLS: %[[E:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x7x8x16xf32>, tensor<1x7x8x16xf32>)
// COLS: tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 7, 7, 16] [1, 1, 1, 1] : tensor<1x7x8x16xf32> to tensor<1x7x7x16xf32>
// CHECK-LABEL: func.func @seven_columns
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x7x7x16xf32>
// CHECK-NOT: tensor.extract_slice
func.func @seven_columns(%x: tensor<1x8x7x7xf32>, %r: tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %w = cnn.weight "c7.weight" dense<1.0> : tensor<16x8x3x3xf32>
  %y = cnn.conv2d %x, %w residual %r {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x8x7x7xf32>, tensor<16x8x3x3xf32>, tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32>
  return %y : tensor<1x16x7x7xf32>
}
