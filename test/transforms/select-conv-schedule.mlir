// The schedule selection alone, for three pinned targets: AVX-512 (the
// default: 16 lanes, 32 registers), AVX2 (8 lanes, 16 registers) and NEON
// (4 lanes, 32 registers). Register tiles keep their accumulators within
// three quarters of the registers (a quarter for depthwise and pooling
// tiles); the order follows the op and its cache (cache-size.mlir).
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule | FileCheck %s --check-prefix=AVX512
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule="vector-bits=256 vector-registers=16" | FileCheck %s --check-prefix=AVX2
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule="vector-bits=128 vector-registers=32" | FileCheck %s --check-prefix=NEON

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bv = affine_map<(b, m, nb, k, nl) -> (b, m, k)>
#bw = affine_map<(b, m, nb, k, nl) -> (b, nb, k, nl)>
#bo = affine_map<(b, m, nb, k, nl) -> (b, m, nb, nl)>


// 3x3, 16 -> 32 channels, 8 pixels a row: 8 x 2 accumulator vectors with
// AVX-512, 2 x 4 with AVX2, 4 x 4 with NEON.
// AVX512-LABEL: func.func @conv_relu
// AVX512: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 8, 32, 1>}
// AVX2-LABEL: func.func @conv_relu
// AVX2: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 2, 32, 1>}
// NEON-LABEL: func.func @conv_relu
// NEON: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 4, 16, 1>}
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

// 1x1, 576 -> 96 channels: power-of-two channel tiles (32, not 48), and
// as many input channels a step as the registers left hold.
// AVX512-LABEL: func.func @pointwise_96
// AVX512: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 7, 32, 4>}
// AVX2-LABEL: func.func @pointwise_96
// AVX2: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 2, 32, 2>}
// NEON-LABEL: func.func @pointwise_96
// NEON: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 2, 32, 2>}
func.func @pointwise_96(%in: tensor<1x14x14x576xf32>, %w: tensor<1x1x576x96xf32>, %b: tensor<96xf32>) -> tensor<1x14x14x96xf32> {
  %e = tensor.empty() : tensor<1x14x14x96xf32>
  %init = linalg.broadcast ins(%b : tensor<96xf32>) outs(%e : tensor<1x14x14x96xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x14x14x576xf32>, tensor<1x1x576x96xf32>) outs(%init : tensor<1x14x14x96xf32>) -> tensor<1x14x14x96xf32>
  return %c : tensor<1x14x14x96xf32>
}

// A strided depthwise conv with an epilogue goes down column strips.
// AVX512-LABEL: func.func @depthwise_strided
// AVX512: linalg.depthwise_conv_2d_nhwc_hwc {cnnc.schedule = {order = "columns_outer", tile = array<i64: 8, 16, 1>}
// AVX2-LABEL: func.func @depthwise_strided
// AVX2: linalg.depthwise_conv_2d_nhwc_hwc {cnnc.schedule = {order = "columns_outer", tile = array<i64: 4, 8, 1>}
// NEON-LABEL: func.func @depthwise_strided
// NEON: linalg.depthwise_conv_2d_nhwc_hwc {cnnc.schedule = {order = "columns_outer", tile = array<i64: 4, 8, 2>}
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

// Pooling takes the depthwise tile; no epilogue: rows.
// AVX512-LABEL: func.func @maxpool
// AVX512: linalg.pooling_nhwc_max {cnnc.schedule = {order = "rows", tile = array<i64: 8, 16, 1>}
// AVX2-LABEL: func.func @maxpool
// AVX2: linalg.pooling_nhwc_max {cnnc.schedule = {order = "rows", tile = array<i64: 4, 8, 1>}
// NEON-LABEL: func.func @maxpool
// NEON: linalg.pooling_nhwc_max {cnnc.schedule = {order = "rows", tile = array<i64: 4, 8, 2>}
func.func @maxpool(%in: tensor<1x17x17x32xf32>) -> tensor<1x8x8x32xf32> {
  %lowest = arith.constant 0xFF800000 : f32
  %window = tensor.empty() : tensor<3x3xf32>
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %init = linalg.fill ins(%lowest : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %window : tensor<1x17x17x32xf32>, tensor<3x3xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %p : tensor<1x8x8x32xf32>
}

// A batch of products whose weights per batch element (2 MB) pass L2: row
// tiles inner, the whole 64-channel block a tile.
// AVX512-LABEL: func.func @products
// AVX512: linalg.generic {{.*}}cnnc.schedule = {order = "rows_inner", tile = array<i64: 4, 64, 4>}
// AVX2-LABEL: func.func @products
// AVX2: linalg.generic {{.*}}cnnc.schedule = {order = "rows_inner", tile = array<i64: 1, 64, 2>}
func.func @products(%v: tensor<2x16x512xf32>, %u: tensor<2x16x512x64xf32>) -> tensor<2x16x16x64xf32> {
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

// Dynamic shapes: no schedule (the op stays as it is).
// AVX512-LABEL: func.func @dynamic
// AVX512-NOT: cnnc.schedule
func.func @dynamic(%in: tensor<?x10x10x16xf32>, %w: tensor<3x3x16x32xf32>, %init: tensor<?x8x8x32xf32>) -> tensor<?x8x8x32xf32> {
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<?x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<?x8x8x32xf32>) -> tensor<?x8x8x32xf32>
  return %c : tensor<?x8x8x32xf32>
}
