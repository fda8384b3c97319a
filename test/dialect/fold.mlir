// RUN: %cnnc-opt %s --canonicalize | FileCheck %s

// Reshapes fold into one; a reshape back to the input shape disappears.
// CHECK-LABEL: func.func @reshapes
// CHECK-NEXT: %[[R:.*]] = cnn.reshape %arg0 : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-NEXT: return %[[R]], %arg0
func.func @reshapes(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<2x3xf32>) {
  %a = cnn.reshape %x : (tensor<2x3xf32>) -> tensor<1x2x3x1xf32>
  %b = cnn.reshape %a : (tensor<1x2x3x1xf32>) -> tensor<6xf32>
  %c = cnn.reshape %a : (tensor<1x2x3x1xf32>) -> tensor<2x3xf32>
  return %b, %c : tensor<6xf32>, tensor<2x3xf32>
}

// A transpose of a transpose reads the input with the composed permutation;
// the identity permutation is no op.
// CHECK-LABEL: func.func @transposes
// CHECK-NEXT: %[[T:.*]] = cnn.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]], %arg0
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %a = cnn.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %b = cnn.transpose %a {perm = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  %c = cnn.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %b, %c : tensor<4x2x3xf32>, tensor<2x3x4xf32>
}
