// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc --canonicalize | FileCheck %s

// Weights over 4 MB are split into blocks of 64 output channels, each its
// own contiguous HWCF constant: one conv per block, with its slice of the
// bias and of the residual and its own fused epilogue, inserted into the
// result at its channel offset.
// CHECK-LABEL: func.func @big
// CHECK-COUNT-8: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x9x9x512xf32>, tensor<3x3x512x64xf32>) outs(%{{.*}} : tensor<1x7x7x64xf32>)
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 448] [1, 7, 7, 64] [1, 1, 1, 1] : tensor<1x7x7x64xf32> into tensor<1x7x7x512xf32>
func.func @big(%x: tensor<1x512x7x7xf32>, %r: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %w = cnn.weight "big.weight" dense<1.0> : tensor<512x512x3x3xf32>
  %b = cnn.weight "big.bias" dense<0.5> : tensor<512xf32>
  %y = cnn.conv2d %x, %w bias %b residual %r {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>, tensor<512xf32>, tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  return %y : tensor<1x512x7x7xf32>
}

// Each block's epilogue reads its channels of the residual.
// CHECK-LABEL: func.func @residual_slices
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 64] [1, 7, 7, 64] [1, 1, 1, 1] : tensor<1x7x7x512xf32> to tensor<1x7x7x64xf32>
// CHECK: arith.addf
// CHECK: arith.maximumf
func.func @residual_slices(%x: tensor<1x512x7x7xf32>, %r: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %w = cnn.weight "big2.weight" dense<1.0> : tensor<512x512x3x3xf32>
  %y = cnn.conv2d %x, %w residual %r {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = #cnn<activation relu>} : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>, tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  return %y : tensor<1x512x7x7xf32>
}

// Under 4 MB: one conv.
// CHECK-LABEL: func.func @small
// CHECK-COUNT-1: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: tensor.insert_slice
func.func @small(%x: tensor<1x256x7x7xf32>) -> tensor<1x256x7x7xf32> {
  %w = cnn.weight "small.weight" dense<1.0> : tensor<256x256x3x3xf32>
  %y = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x256x7x7xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x7x7xf32>
  return %y : tensor<1x256x7x7xf32>
}
