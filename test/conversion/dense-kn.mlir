// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc | FileCheck %s

// With nhwc (-O2) a dense layer's [N, K] weight is repacked at compile time
// to [K, N] and the layer is a plain linalg.matmul: rows of output channels
// are contiguous for the vectoriser.
// CHECK-LABEL: func.func @dense
// CHECK: %[[W:.*]] = arith.constant dense_resource<fc.weight.kn> : tensor<6xf32>
// CHECK: %[[KN:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1]] output_shape [2, 3]
// CHECK: %[[INIT:.*]] = linalg.broadcast
// CHECK: linalg.matmul ins(%{{.*}}, %[[KN]] : tensor<1x2xf32>, tensor<2x3xf32>) outs(%[[INIT]] : tensor<1x3xf32>)
// CHECK: arith.maximumf
func.func @dense(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = cnn.weight "fc.weight" dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = cnn.weight "fc.bias" dense<0.5> : tensor<3xf32>
  %y = cnn.dense %x, %w bias %b {activation = #cnn<activation relu>} : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
