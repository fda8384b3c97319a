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
