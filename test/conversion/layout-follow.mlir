// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc --canonicalize --cse | FileCheck %s

// Layout-agnostic ops follow an NHWC producer (a conv or pooling at -O2):
// relu, nearest upsampling, concat, slice and broadcasting arithmetic on
// convs' results compute in NHWC, so the transposes between them cancel and
// the only layout changes left are at the function's edges.
// CHECK-LABEL: func.func @chain
// CHECK: linalg.transpose ins(%arg0 : tensor<1x2x4x4xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK-NOT: linalg.transpose
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.transpose
// CHECK: arith.cmpf olt
// CHECK-NEXT: arith.select
// CHECK-NOT: linalg.transpose
// Upsampling reads rows and columns (NHWC dims 1 and 2) at half the index.
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x4x3xf32>) outs(%{{.*}} : tensor<1x8x8x3xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.transpose
// Concat on channels: NHWC axis 3.
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 8, 8, 3] [1, 1, 1, 1] : tensor<1x8x8x3xf32> into tensor<1x8x8x6xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 3] [1, 8, 8, 3] [1, 1, 1, 1] : tensor<1x8x8x3xf32> into tensor<1x8x8x6xf32>
// CHECK-NOT: linalg.transpose
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 2] [1, 8, 8, 4] [1, 1, 1, 1] : tensor<1x8x8x6xf32> to tensor<1x8x8x4xf32>
// A per-channel [1, C, 1, 1] operand (an NCHW argument, so transposed) is
// read as [1, 1, 1, C].
// CHECK: linalg.transpose ins(%arg1 : tensor<1x4x1x1xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x8x8x4xf32>, tensor<1x1x1x4xf32>)
// CHECK: arith.mulf
// CHECK: %[[OUT:.*]] = linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
// CHECK-NOT: linalg.transpose
// CHECK: return %[[OUT]]
func.func @chain(%x: tensor<1x2x4x4xf32>, %scale: tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %w = cnn.weight "a.weight" dense<1.0> : tensor<3x2x1x1xf32>
  %a = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %r = cnn.relu %a : tensor<1x3x4x4xf32>
  %u = cnn.upsample %r {scale = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  %w2 = cnn.weight "b.weight" dense<2.0> : tensor<3x3x1x1xf32>
  %b = cnn.conv2d %u, %w2 {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<3x3x1x1xf32>) -> tensor<1x3x8x8xf32>
  %c = cnn.concat %u, %b {axis = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>) -> tensor<1x6x8x8xf32>
  %s = cnn.slice %c {axis = 1 : i64, offset = 2 : i64, size = 4 : i64} : (tensor<1x6x8x8xf32>) -> tensor<1x4x8x8xf32>
  %m = cnn.mul %s, %scale : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %m : tensor<1x4x8x8xf32>
}

// Without an NHWC producer nothing changes layout.
// CHECK-LABEL: func.func @plain
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @plain(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %r = cnn.relu %x : tensor<1x3x4x4xf32>
  %u = cnn.upsample %r {scale = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %u : tensor<1x3x8x8xf32>
}

// A channel shuffle between convs is one transpose of each pixel's channels
// viewed as [2, 3] (ShuffleNet); a transpose to NHWC of a conv's result is
// that result itself, no copy.
// CHECK-LABEL: func.func @shuffle
// CHECK: %[[A:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.transpose
// CHECK: %[[G:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 4, 4, 2, 3]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[G]] : tensor<1x4x4x2x3xf32>) {{.*}} permutation = [0, 1, 2, 4, 3]
// CHECK: %[[S:.*]] = tensor.collapse_shape %[[T]]
// CHECK-NOT: linalg.transpose
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[S]],
// CHECK: %[[OUT:.*]] = linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
// CHECK: return %[[OUT]], %[[A]]
func.func @shuffle(%x: tensor<1x2x4x4xf32>) -> (tensor<1x6x4x4xf32>, tensor<1x4x4x6xf32>) {
  %w = cnn.weight "a.weight" dense<1.0> : tensor<6x2x1x1xf32>
  %a = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<6x2x1x1xf32>) -> tensor<1x6x4x4xf32>
  %g = cnn.reshape %a : (tensor<1x6x4x4xf32>) -> tensor<1x2x3x4x4xf32>
  %t = cnn.transpose %g {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x3x4x4xf32>) -> tensor<1x3x2x4x4xf32>
  %s = cnn.reshape %t : (tensor<1x3x2x4x4xf32>) -> tensor<1x6x4x4xf32>
  %w2 = cnn.weight "b.weight" dense<2.0> : tensor<6x6x1x1xf32>
  %b = cnn.conv2d %s, %w2 {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x6x4x4xf32>, tensor<6x6x1x1xf32>) -> tensor<1x6x4x4xf32>
  %n = cnn.transpose %a {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x6x4x4xf32>) -> tensor<1x4x4x6xf32>
  return %b, %n : tensor<1x6x4x4xf32>, tensor<1x4x4x6xf32>
}
