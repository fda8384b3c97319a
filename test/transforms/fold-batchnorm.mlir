// RUN: %cnnc-opt %s --cnn-fold-batchnorm --canonicalize --split-input-file | FileCheck %s

// scale = gamma / sqrt(var + eps) = 4 / sqrt(3 + 1) = 2:
// weight 1.5 -> 3.0 (0x40400000), bias (1 - 0.5) * 2 + 0.25 = 1.25 (0x3FA00000).
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W:.*]] = cnn.weight "c.weight.folded" dense_resource<c.weight.folded> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = cnn.weight "c.bias.folded" dense_resource<c.bias.folded> : tensor<2xf32>
// CHECK: %[[Y:.*]] = cnn.conv2d %{{.*}}, %[[W]] bias %[[B]]
// CHECK-NOT: cnn.batchnorm
// CHECK: return %[[Y]]
// CHECK: c.weight.folded: "0x040000000000404000004040"
// CHECK: c.bias.folded: "0x040000000000A03F0000A03F"
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = cnn.weight "c.weight" dense<1.5> : tensor<2x1x1x1xf32>
  %b = cnn.weight "c.bias" dense<1.0> : tensor<2xf32>
  %c = cnn.conv2d %x, %w bias %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %gamma = cnn.weight "bn.weight" dense<4.0> : tensor<2xf32>
  %beta = cnn.weight "bn.bias" dense<0.25> : tensor<2xf32>
  %mean = cnn.weight "bn.running_mean" dense<0.5> : tensor<2xf32>
  %var = cnn.weight "bn.running_var" dense<3.0> : tensor<2xf32>
  %y = cnn.batchnorm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A bias-free dense gains a bias: (0 - 0.5) * 2 + 0.25 = -0.75 (0xBF400000).
// CHECK-LABEL: func.func @dense
// CHECK: cnn.dense %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>)
// CHECK-NOT: cnn.batchnorm
// CHECK: fc.bias.folded: "0x04000000000040BF000040BF"
func.func @dense(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = cnn.weight "fc.weight" dense<1.0> : tensor<2x3xf32>
  %d = cnn.dense %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %gamma = cnn.weight "bn.weight" dense<4.0> : tensor<2xf32>
  %beta = cnn.weight "bn.bias" dense<0.25> : tensor<2xf32>
  %mean = cnn.weight "bn.running_mean" dense<0.5> : tensor<2xf32>
  %var = cnn.weight "bn.running_var" dense<3.0> : tensor<2xf32>
  %y = cnn.batchnorm %d, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The conv's result is used elsewhere too: both values are needed, no fold.
// CHECK-LABEL: func.func @shared
// CHECK: cnn.batchnorm
func.func @shared(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = cnn.weight "c.weight" dense<1.5> : tensor<2x1x1x1xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = cnn.weight "bn.weight" dense<4.0> : tensor<2xf32>
  %y = cnn.batchnorm %c, %p, %p, %p, %p {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A batch-norm on a block input (no layer to fold into) stays.
// CHECK-LABEL: func.func @alone
// CHECK: cnn.batchnorm
func.func @alone(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %p = cnn.weight "bn.weight" dense<4.0> : tensor<2xf32>
  %y = cnn.batchnorm %x, %p, %p, %p, %p {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
