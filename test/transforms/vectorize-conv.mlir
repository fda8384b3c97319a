// RUN: %cnnc-opt %s --cnnc-select-conv-schedule --cnnc-vectorize-conv --loop-invariant-subset-hoisting --canonicalize | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Register tile: 1 row x 8 pixels x 32 channels (8 x 2 accumulator vectors),
// one per iteration of the thread-level forall (unit dimensions folded
// away); reduction over one kernel row and 1 input channel at a time (16
// accumulators, 3 x 2 weight vectors and 10 broadcast inputs fill
// AVX-512's 32 registers); the accumulators are loop-carried vectors, the
// relu epilogue is vectorised.
// CHECK-LABEL: func.func @conv_relu
// CHECK-NOT: linalg.conv_2d
// CHECK: scf.forall (%{{.*}}) in (8) shared_outs
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>)
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: arith.maximumf {{.*}} : vector<8x32xf32>
func.func @conv_relu(%in: tensor<1x10x10x16xf32>, %w: tensor<3x3x16x32xf32>, %b: tensor<32xf32>) -> tensor<1x8x8x32xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %init = linalg.broadcast ins(%b : tensor<32xf32>) outs(%e : tensor<1x8x8x32xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %e2 = tensor.empty() : tensor<1x8x8x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x8x8x32xf32>) outs(%e2 : tensor<1x8x8x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %x, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}

// A depthwise conv without epilogue: channels vectorised, no contraction.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: linalg.depthwise_conv_2d
// CHECK: vector.fma
func.func @depthwise(%in: tensor<1x10x10x32xf32>, %w: tensor<3x3x32xf32>) -> tensor<1x8x8x32xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %c : tensor<1x8x8x32xf32>
}

// A strided depthwise conv goes down column strips: the forall is (column
// tile, row, channel tile), each tile 8 px x 16 ch reading 3 x 17 input
// pixels.
// CHECK-LABEL: func.func @depthwise_strided
// CHECK: scf.forall (%[[COL:.*]], %[[ROW:.*]], %[[CH:.*]]) in (2, 4, 2) shared_outs
// CHECK-DAG: %[[X:.*]] = affine.apply #{{.*}}(%[[COL]])
// CHECK-DAG: %[[C:.*]] = affine.apply #{{.*}}(%[[CH]])
// CHECK: tensor.extract_slice %{{.*}}[0, %[[ROW]], %[[X]], %[[C]]] [1, 1, 8, 16]
// CHECK: vector.transfer_read {{.*}} vector<17x16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<8x16xf32>
func.func @depthwise_strided(%in: tensor<1x9x33x32xf32>, %w: tensor<3x3x32xf32>, %b: tensor<32xf32>) -> tensor<1x4x16x32xf32> {
  %e = tensor.empty() : tensor<1x4x16x32xf32>
  %init = linalg.broadcast ins(%b : tensor<32xf32>) outs(%e : tensor<1x4x16x32xf32>) dimensions = [0, 1, 2]
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<1x9x33x32xf32>, tensor<3x3x32xf32>) outs(%init : tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32>
  %e2 = tensor.empty() : tensor<1x4x16x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x4x16x32xf32>) outs(%e2 : tensor<1x4x16x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %x, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x4x16x32xf32>
  return %r : tensor<1x4x16x32xf32>
}

// Weights over 4 MB: output-channel tiles outermost in the forall (each
// thread then reads only its share of the weights).
// CHECK-LABEL: func.func @channels_outer
// CHECK: scf.forall (%[[F:.*]], %[[H:.*]]) in (16, 7) shared_outs
// CHECK: vector.contract {{.*}} into vector<7x32xf32>
// CHECK: arith.maximumf {{.*}} : vector<7x32xf32>
func.func @channels_outer(%in: tensor<1x9x9x512xf32>, %w: tensor<3x3x512x512xf32>, %b: tensor<512xf32>) -> tensor<1x7x7x512xf32> {
  %e = tensor.empty() : tensor<1x7x7x512xf32>
  %init = linalg.broadcast ins(%b : tensor<512xf32>) outs(%e : tensor<1x7x7x512xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x9x9x512xf32>, tensor<3x3x512x512xf32>) outs(%init : tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32>
  %e2 = tensor.empty() : tensor<1x7x7x512xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x7x7x512xf32>) outs(%e2 : tensor<1x7x7x512xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %x, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x7x7x512xf32>
  return %r : tensor<1x7x7x512xf32>
}

// A residual add reading two convs belongs to the one it reads first (the
// block's main conv, 9.4 MB of weights: channels outer); the 1x1 downsample
// conv it also reads is tiled on its own, its bias init fused into the tiles
// (its accumulators start from the bias read as a vector, not from a
// whole-tensor broadcast).
// CHECK-LABEL: func.func @residual_owner
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x7x7x512xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (7, 16) shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK: %[[BIAS:.*]] = tensor.extract_slice %arg4[%{{.*}}] [32] [1] : tensor<512xf32> to tensor<32xf32>
// CHECK: vector.transfer_read %[[BIAS]]
// CHECK: vector.contract {{.*}} : vector<7x4xf32>, vector<4x32xf32> into vector<7x32xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (16, 7) shared_outs
// CHECK: arith.addf {{.*}} : vector<7x32xf32>
func.func @residual_owner(%in: tensor<1x9x9x512xf32>, %w: tensor<3x3x512x512xf32>, %x: tensor<1x7x7x64xf32>, %wd: tensor<1x1x64x512xf32>, %b: tensor<512xf32>) -> tensor<1x7x7x512xf32> {
  %e = tensor.empty() : tensor<1x7x7x512xf32>
  %initd = linalg.broadcast ins(%b : tensor<512xf32>) outs(%e : tensor<1x7x7x512xf32>) dimensions = [0, 1, 2]
  %d = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %wd : tensor<1x7x7x64xf32>, tensor<1x1x64x512xf32>) outs(%initd : tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32>
  %init = linalg.broadcast ins(%b : tensor<512xf32>) outs(%e : tensor<1x7x7x512xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x9x9x512xf32>, tensor<3x3x512x512xf32>) outs(%init : tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32>
  %e2 = tensor.empty() : tensor<1x7x7x512xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %d : tensor<1x7x7x512xf32>, tensor<1x7x7x512xf32>) outs(%e2 : tensor<1x7x7x512xf32>) {
  ^bb0(%x0: f32, %x1: f32, %o: f32):
    %s = arith.addf %x0, %x1 : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x512xf32>
  return %r : tensor<1x7x7x512xf32>
}

// Channel tiles are powers of two: 96 output channels get 32-channel tiles,
// not 48 (LLVM would pad a vector<48xf32> to 64 lanes).
// CHECK-LABEL: func.func @pointwise_96
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (14, 2, 3) shared_outs
// CHECK: vector.contract {{.*}} into vector<7x32xf32>
func.func @pointwise_96(%in: tensor<1x14x14x576xf32>, %w: tensor<1x1x576x96xf32>, %b: tensor<96xf32>) -> tensor<1x14x14x96xf32> {
  %e = tensor.empty() : tensor<1x14x14x96xf32>
  %init = linalg.broadcast ins(%b : tensor<96xf32>) outs(%e : tensor<1x14x14x96xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x14x14x576xf32>, tensor<1x1x576x96xf32>) outs(%init : tensor<1x14x14x96xf32>) -> tensor<1x14x14x96xf32>
  return %c : tensor<1x14x14x96xf32>
}

// A dense layer (blocked [N/16, K, 16] weights, loops (m, nb, k, nl)): one
// block of 16 output channels per tile of the forall, the relu epilogue
// fused, the reduction 8 inputs at a time as FMAs of a broadcast input with
// weight rows, the accumulator one vector.
// CHECK-LABEL: func.func @dense
// CHECK: scf.forall (%{{.*}}) in (16) shared_outs
// CHECK: scf.for {{.*}} step %c8 iter_args(%{{.*}} = %{{.*}}) -> (vector<16xf32>)
// CHECK: vector.contract {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} : vector<8xf32>, vector<8x16xf32> into vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
func.func @dense(%x: tensor<1x512xf32>, %w: tensor<16x512x16xf32>, %b: tensor<16x16xf32>) -> tensor<1x16x16xf32> {
  %e = tensor.empty() : tensor<1x16x16xf32>
  %init = linalg.broadcast ins(%b : tensor<16x16xf32>) outs(%e : tensor<1x16x16xf32>) dimensions = [0]
  %m = linalg.generic {indexing_maps = [affine_map<(m, nb, k, nl) -> (m, k)>, affine_map<(m, nb, k, nl) -> (nb, k, nl)>, affine_map<(m, nb, k, nl) -> (m, nb, nl)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%x, %w : tensor<1x512xf32>, tensor<16x512x16xf32>) outs(%init : tensor<1x16x16xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x16x16xf32>
  %e2 = tensor.empty() : tensor<1x16x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m : tensor<1x16x16xf32>) outs(%e2 : tensor<1x16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %y = arith.maximumf %v, %z : f32
    linalg.yield %y : f32
  } -> tensor<1x16x16xf32>
  return %r : tensor<1x16x16xf32>
}

// NHWC max pooling takes the depthwise schedule: tiles of output pixels x
// channels on the forall (the widest pixel tile first: 8 x 16), the window a
// row at a time, channel vectors.
// CHECK-LABEL: func.func @maxpool
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (8, 2) shared_outs
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<8x16xf32>)
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.pooling_nhwc_max
func.func @maxpool(%in: tensor<1x17x17x32xf32>) -> tensor<1x8x8x32xf32> {
  %lowest = arith.constant 0xFF800000 : f32
  %window = tensor.empty() : tensor<3x3xf32>
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %init = linalg.fill ins(%lowest : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %window : tensor<1x17x17x32xf32>, tensor<3x3xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %p : tensor<1x8x8x32xf32>
}

#bv = affine_map<(b, m, nb, k, nl) -> (b, m, k)>
#bw = affine_map<(b, m, nb, k, nl) -> (b, nb, k, nl)>
#bo = affine_map<(b, m, nb, k, nl) -> (b, m, nb, nl)>

// A batch of products (Winograd's) whose weights per batch element pass L2
// (512 x 1024 x 4 bytes = 2 MB): the row tiles go innermost in the forall
// (batch, weight block tile, row tile), so that a block's weights are
// streamed from memory once and reused from cache by the other row tiles.
// CHECK-LABEL: func.func @products_rows_inner
// CHECK: scf.forall (%[[B:.*]], %[[NB:.*]], %[[M:.*]]) in (2, 16, 4) shared_outs
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[NB]], 0, 0] [1, 1, 512, 64]
// CHECK: vector.contract
func.func @products_rows_inner(%v: tensor<2x16x512xf32>, %u: tensor<2x16x512x64xf32>) -> tensor<2x16x16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x16x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x16x64xf32>) -> tensor<2x16x16x64xf32>
  %m = linalg.generic {indexing_maps = [#bv, #bw, #bo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%v, %u : tensor<2x16x512xf32>, tensor<2x16x512x64xf32>) outs(%init : tensor<2x16x16x64xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %p = arith.mulf %a, %w : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x16x16x64xf32>
  return %m : tensor<2x16x16x64xf32>
}

// The same with 128 output channels (256 KB a batch element): row tiles
// outer, as for any dense layer.
// CHECK-LABEL: func.func @products_rows_outer
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 4, 2) shared_outs
func.func @products_rows_outer(%v: tensor<2x16x512xf32>, %u: tensor<2x2x512x64xf32>) -> tensor<2x16x2x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x2x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x2x64xf32>) -> tensor<2x16x2x64xf32>
  %m = linalg.generic {indexing_maps = [#bv, #bw, #bo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%v, %u : tensor<2x16x512xf32>, tensor<2x2x512x64xf32>) outs(%init : tensor<2x16x2x64xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %p = arith.mulf %a, %w : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x16x2x64xf32>
  return %m : tensor<2x16x2x64xf32>
}
