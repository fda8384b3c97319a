// RUN: %cnnc-opt %s --cnn-fuse --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[Y:.*]] = cnn.conv2d %{{.*}}, %{{.*}} bias %{{.*}} {activation = #cnn<activation relu>
// CHECK-NOT: cnn.relu
// CHECK: return %[[Y]]
func.func @conv_relu(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w bias %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y = cnn.relu %c : tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_mish
// CHECK: cnn.conv2d {{.*}} {activation = #cnn<activation mish>
// CHECK-NOT: cnn.mish
func.func @conv_mish(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = cnn.mish %c : tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @dense_leaky
// CHECK: cnn.dense {{.*}} {activation = #cnn<activation leaky_relu>, alpha = 1.000000e-01 : f64}
// CHECK-NOT: cnn.leaky_relu
func.func @dense_leaky(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  %d = cnn.dense %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %y = cnn.leaky_relu %d {alpha = 0.1 : f64} : tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A residual block: add(conv, skip) then relu become one conv. The conv
// moves down to where the skip tensor is defined.
// CHECK-LABEL: func.func @residual
// CHECK: %[[SKIP:.*]] = cnn.sigmoid %arg0
// CHECK-NEXT: %[[Y:.*]] = cnn.conv2d %arg0, %arg1 residual %[[SKIP]] {activation = #cnn<activation relu>
// CHECK-NEXT: return %[[Y]]
func.func @residual(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %skip = cnn.sigmoid %x : tensor<1x2x4x4xf32>
  %s = cnn.add %skip, %c : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %y = cnn.relu %s : tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// relu(conv) + skip is not conv + skip then relu: nothing more fuses.
// CHECK-LABEL: func.func @relu_then_add
// CHECK: cnn.conv2d {{.*}}activation = #cnn<activation relu>
// CHECK: cnn.add
func.func @relu_then_add(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.relu %c : tensor<1x2x4x4xf32>
  %s = cnn.add %r, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %s : tensor<1x2x4x4xf32>
}

// -----

// The conv's value is needed on its own too, and a broadcast add is no
// residual: neither fuses.
// CHECK-LABEL: func.func @no_fusion
// CHECK: cnn.relu
// CHECK: cnn.add
func.func @no_fusion(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %g: tensor<1x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.relu %c : tensor<1x2x4x4xf32>
  %c2 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.add %c2, %g : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %r, %c, %s : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// x * sigmoid(x) (PyTorch's SiLU in ONNX), either operand order, is silu and
// fuses; x * hardsigmoid(x) with HardSwish's constants (1/6 as a float) is
// hardswish and fuses.
// CHECK-LABEL: func.func @gated
// CHECK: cnn.conv2d {{.*}} {activation = #cnn<activation silu>
// CHECK: cnn.conv2d {{.*}} {activation = #cnn<activation hardswish>
// CHECK-NOT: cnn.sigmoid
// CHECK-NOT: cnn.hardsigmoid
// CHECK-NOT: cnn.mul
func.func @gated(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %s = cnn.sigmoid %c : tensor<1x1x4x4xf32>
  %y = cnn.mul %s, %c : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %d = cnn.conv2d %y, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %h = cnn.hardsigmoid %d {alpha = 0.1666666716337204 : f64, beta = 0.5 : f64} : tensor<1x1x4x4xf32>
  %z = cnn.mul %d, %h : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %z : tensor<1x1x4x4xf32>
}

// -----

// Not gates of the other operand: a squeeze-and-excitation scale (the gate
// of another tensor, broadcast), a hard sigmoid with other constants, a
// sigmoid that is also returned.
// CHECK-LABEL: func.func @not_gated
// CHECK: cnn.mul %arg0, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>)
// CHECK: %[[H:.*]] = cnn.hardsigmoid %arg0 {alpha = 2.000000e-01 : f64
// CHECK: cnn.mul %arg0, %[[H]]
// CHECK: %[[S:.*]] = cnn.sigmoid %arg0
// CHECK: cnn.mul %arg0, %[[S]]
// CHECK-NOT: cnn.silu
// CHECK-NOT: cnn.hardswish
func.func @not_gated(%x: tensor<1x2x4x4xf32>, %p: tensor<1x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %g = cnn.sigmoid %p : tensor<1x2x1x1xf32>
  %se = cnn.mul %x, %g : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %h = cnn.hardsigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<1x2x4x4xf32>
  %a = cnn.mul %x, %h : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.sigmoid %x : tensor<1x2x4x4xf32>
  %b = cnn.mul %x, %s : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %se, %a, %b, %s : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
