// RUN: %cnnc-opt %s --convert-cnn-to-linalg="nhwc min-group-width=8" --canonicalize --cse --cnnc-select-conv-schedule="vector-bits=256 vector-registers=16" --cnnc-vectorize-conv="report=true vector-bits=256" --loop-invariant-subset-hoisting --canonicalize 2>&1 | FileCheck %s

// A grouped conv (4 groups of 8 -> 16 channels, stride 2) with its epilogue:
// register tiles of one group (pixels x 16 channels, two 8-lane vectors)
// form the thread-level forall over (n, oh, ow, g, f); each tile is a plain
// NHWC conv on the group's channels, decomposed to 1-D and vectorised to
// contractions (4 pixels x 3 kernel columns), the accumulators carried through the reduction loops (kh,
// then c) and the epilogue applied to them.
// CHECK: remark: grouped: 4 groups of 8 -> 16 ch, a conv per group; vectorized: tile 4 px x 16 ch (8 accumulators of 8 x f32), reduction 1 row x 1 ch, epilogue fused
// CHECK-LABEL: func.func @grouped
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (4, 2, 4) shared_outs({{.*}}) -> (tensor<1x4x8x4x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<4x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<4x16xf32>)
// CHECK-COUNT-12: vector.contract {{.*}} : vector<1xf32>, vector<1x16xf32>
// CHECK: arith.select {{.*}} : vector<4x1x16xi1>, vector<4x1x16xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} [1, 1, 4, 1, 16] [1, 1, 1, 1, 1] : tensor<1x1x4x1x16xf32> into tensor<1x4x8x4x16xf32>
// CHECK-NOT: cnnc.grouped_conv
func.func @grouped(%x: tensor<1x32x8x16xf32>) -> tensor<1x64x4x8xf32> {
  %w = cnn.weight "g.weight" dense<1.0> : tensor<64x8x3x3xf32>
  %b = cnn.weight "g.bias" dense<0.5> : tensor<64xf32>
  %y = cnn.conv2d %x, %w bias %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64, activation = #cnn<activation relu>} : (tensor<1x32x8x16xf32>, tensor<64x8x3x3xf32>, tensor<64xf32>) -> tensor<1x64x4x8xf32>
  return %y : tensor<1x64x4x8xf32>
}
