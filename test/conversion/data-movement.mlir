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
