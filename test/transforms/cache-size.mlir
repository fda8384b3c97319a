// The schedules that depend on the cache take its size from `l2-cache-bytes`
// (cnnc: the host's L2 when compiling for the host, else the default, 1 MB).
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule | FileCheck %s --check-prefix=SMALL
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule=l2-cache-bytes=4194304 | FileCheck %s --check-prefix=LARGE
// RUN: %cnnc-opt %s --cnnc-winograd=report 2>&1 | FileCheck %s --check-prefix=STREAMED
// RUN: %cnnc-opt %s --cnnc-winograd="report l2-cache-bytes=8388608" 2>&1 | FileCheck %s --check-prefix=CACHED

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// 9.4 MB of weights: over 4 L2s of 1 MB, output-channel tiles go outermost
// (each slice reused down the rows); within 4 L2s of 4 MB, rows outermost.
// Its transformed weights (37.7 MB) pass 8 L2s of 1 MB: streamed from memory
// for 64 output pixels, the direct conv is kept; within 8 L2s of 8 MB,
// Winograd.
// SMALL: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "channels_outer", tile = array<i64: 4, 64, 1>}
// LARGE: linalg.conv_2d_nhwc_hwcf {cnnc.schedule = {order = "rows", tile = array<i64: 4, 64, 1>}
// STREAMED-NOT: remark
// STREAMED-LABEL: func.func @conv_512
// STREAMED: linalg.conv_2d_nhwc_hwcf
// CACHED: remark: winograd F(4x4, 3x3)
// CACHED-LABEL: func.func @conv_512
// CACHED-NOT: linalg.conv_2d_nhwc_hwcf
func.func @conv_512(%in: tensor<1x10x10x512xf32>, %b: tensor<512xf32>) -> tensor<1x8x8x512xf32> {
  %w = arith.constant dense<0.5> : tensor<3x3x512x512xf32>
  %e = tensor.empty() : tensor<1x8x8x512xf32>
  %init = linalg.broadcast ins(%b : tensor<512xf32>) outs(%e : tensor<1x8x8x512xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x10x10x512xf32>, tensor<3x3x512x512xf32>) outs(%init : tensor<1x8x8x512xf32>) -> tensor<1x8x8x512xf32>
  %e2 = tensor.empty() : tensor<1x8x8x512xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x8x8x512xf32>) outs(%e2 : tensor<1x8x8x512xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %x, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x512xf32>
  return %r : tensor<1x8x8x512xf32>
}
