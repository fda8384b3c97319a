// RUN: %cnnc-opt %s --convert-cnn-to-linalg=nhwc --canonicalize | FileCheck %s

// With nhwc (-O2) a dense layer's [N, K] weight is repacked at compile time
// into blocks of B output channels, [N/B, K, B] (B = 16, 8 or the widest
// divisor of N up to 16), and the layer is a contraction over loops
// (m, nb, k, nl) whose result collapses back to [M, N].
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @dense
// CHECK: %[[WB:.*]] = arith.constant dense_resource<fc.weight.b3> : tensor<6xf32>
// CHECK: %[[BLOCKED:.*]] = tensor.expand_shape %[[WB]] {{\[\[}}0, 1, 2]] output_shape [1, 2, 3]
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%{{.*}} : tensor<1x3xf32>) outs(%{{.*}} : tensor<1x1x3xf32>) dimensions = [0]
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[BLOCKED]] : tensor<1x2xf32>, tensor<1x2x3xf32>) outs(%[[INIT]] : tensor<1x1x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[P]]
// CHECK: arith.cmpf olt
// CHECK-NEXT: arith.select
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<1x1x3xf32> into tensor<1x3xf32>
func.func @dense(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = cnn.weight "fc.weight" dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = cnn.weight "fc.bias" dense<0.5> : tensor<3xf32>
  %y = cnn.dense %x, %w bias %b {activation = #cnn<activation relu>} : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// 40 outputs: blocks of 8, block nb holding rows 8 nb .. 8 nb + 7 of the
// weight, each as a K x 8 panel.
// CHECK-LABEL: func.func @blocks_of_8
// CHECK: dense_resource<fc2.weight.b8> : tensor<120xf32>
// CHECK: output_shape [5, 3, 8]
// CHECK: ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<5x3x8xf32>) outs(%{{.*}} : tensor<2x5x8xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<2x5x8xf32> into tensor<2x40xf32>
func.func @blocks_of_8(%x: tensor<2x3xf32>) -> tensor<2x40xf32> {
  %w = cnn.weight "fc2.weight" dense<1.0> : tensor<40x3xf32>
  %y = cnn.dense %x, %w : (tensor<2x3xf32>, tensor<40x3xf32>) -> tensor<2x40xf32>
  return %y : tensor<2x40xf32>
}

// The packed weight, k-major within the block: 1 3 5, 2 4 6.
// CHECK: fc.weight.b3: "0x040000000000803F000040400000A04000000040000080400000C040"
