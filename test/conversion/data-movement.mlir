// RUN: %cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// Nearest upsampling reads through a floordiv indexing map.
// CHECK: #[[NEAREST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3 floordiv 3)>

// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<2x3x4x5xf32> into tensor<2x60xf32>
func.func @flatten(%x: tensor<2x3x4x5xf32>) -> tensor<2x60xf32> {
  %y = cnn.flatten %x : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
  return %y : tensor<2x60xf32>
}

// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x5x4x4xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1]
func.func @concat(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32> {
  %y = cnn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  return %y : tensor<1x5x4x4xf32>
}

// A channel slice is an extract_slice.
// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.*}}[0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1] : tensor<1x6x4x4xf32> to tensor<1x3x4x4xf32>
func.func @slice(%x: tensor<1x6x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y = cnn.slice %x {axis = 1 : i64, offset = 2 : i64, size = 3 : i64} : (tensor<1x6x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// CHECK-LABEL: func.func @upsample
// CHECK: linalg.generic {indexing_maps = [#[[NEAREST]], {{.*}}]
func.func @upsample(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8x12xf32> {
  %y = cnn.upsample %x {scale = array<i64: 2, 3>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x8x12xf32>
  return %y : tensor<1x2x8x12xf32>
}

// Weights become constants.
// CHECK-LABEL: func.func @weight
// CHECK: arith.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NOT: cnn.
func.func @weight() -> tensor<3xf32> {
  %w = cnn.weight "w" dense<2.0> : tensor<3xf32>
  return %w : tensor<3xf32>
}

// Reshapes whose shapes nest are one collapse or expand; others go through
// a flat vector.
// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0], [1, 2, 3]] : tensor<1x8x1x1xf32> into tensor<1x8xf32>
// CHECK: tensor.expand_shape %arg1 {{\[\[}}0], [1, 2]] output_shape [1, 2, 4] : tensor<1x8xf32> into tensor<1x2x4xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg2 {{\[\[}}0, 1, 2]] : tensor<1x2x4xf32> into tensor<8xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [4, 2] : tensor<8xf32> into tensor<4x2xf32>
func.func @reshape(%x: tensor<1x8x1x1xf32>, %y: tensor<1x8xf32>, %z: tensor<1x2x4xf32>) -> (tensor<1x8xf32>, tensor<1x2x4xf32>, tensor<4x2xf32>) {
  %a = cnn.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %b = cnn.reshape %y : (tensor<1x8xf32>) -> tensor<1x2x4xf32>
  %c = cnn.reshape %z : (tensor<1x2x4xf32>) -> tensor<4x2xf32>
  return %a, %b, %c : tensor<1x8xf32>, tensor<1x2x4xf32>, tensor<4x2xf32>
}

// Constant padding is tensor.pad with the value.
// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[V:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 2, 0]
// CHECK: tensor.yield %[[V]]
func.func @pad_constant(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x6x5xf32> {
  %y = cnn.pad %x {low = array<i64: 0, 0, 1, 2>, high = array<i64: 0, 0, 2, 0>, value = 0.5 : f64} : (tensor<1x2x3x3xf32>) -> tensor<1x2x6x5xf32>
  return %y : tensor<1x2x6x5xf32>
}

// Reflect padding reads the input at |i - low| mirrored at the last index;
// unpadded dimensions read the loop index as it is.
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: %[[I0:.*]] = linalg.index 0 : index
// CHECK: %[[I1:.*]] = linalg.index 1 : index
// CHECK: %[[S:.*]] = arith.subi %[[I1]], %{{.*}} : index
// CHECK: %[[N:.*]] = arith.subi %{{.*}}, %[[S]] : index
// CHECK: %[[ABS:.*]] = arith.maxsi %[[S]], %[[N]] : index
// CHECK: %[[M:.*]] = arith.subi %{{.*}}, %[[ABS]] : index
// CHECK: %[[R:.*]] = arith.minsi %[[ABS]], %[[M]] : index
// CHECK: tensor.extract %{{.*}}[%[[I0]], %[[R]]] : tensor<2x3xf32>
func.func @pad_reflect(%x: tensor<2x3xf32>) -> tensor<2x7xf32> {
  %y = cnn.pad %x {low = array<i64: 0, 2>, high = array<i64: 0, 2>, mode = #cnn<pad_mode reflect>} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}

// Edge padding clamps the index to the input.
// CHECK-LABEL: func.func @pad_edge
// CHECK: linalg.index 1 : index
// CHECK: arith.subi
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: tensor.extract
func.func @pad_edge(%x: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %y = cnn.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 1>, mode = #cnn<pad_mode edge>} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}
