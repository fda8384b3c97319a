// RUN: %cnnc-opt %s --cnnc-winograd="report embed-limit=16777216" --canonicalize --cse 2>&1 | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// embed-limit 16 MiB: the small convs' transformed weights are constants, the
// 512-channel one's computed at the first run.

// A 3x3 conv over 8x8 outputs (four 4x4 blocks), 16 -> 32 channels, with a
// bias and a residual + relu epilogue.
// CHECK: remark: winograd F(4x4, 3x3): 36 products of 4 blocks x 16 ch x 32 ch, transformed weights 0.1 MB
// (Remarks print first: those of @wide and @pooled below come after it.)
// CHECK: remark: winograd F(4x4, 3x3): 36 products of 9 blocks x 512 ch x 512 ch, transformed weights 37.7 MB (at the first run)
// CHECK: remark: winograd F(4x4, 3x3): 36 products of 9 blocks x 16 ch x 16 ch, transformed weights 0.0 MB, 2x2 max pool fused
// CHECK: remark: computed in the Winograd output transform of the conv it reads (fused)
// The global and flag @wide's run-time transform fills (module level).
// CHECK: memref.global "private" @[[GLOBAL:weight.winograd32]].ready : memref<i32> = dense<0>
// CHECK: memref.global "private" @[[GLOBAL]] : memref<9437184xf32> = uninitialized {alignment = 64 : i64}
// The transformed weights: [36 points, F / 32, C, 32], made at compile time.
// CHECK-LABEL: func.func @conv
// CHECK: %[[U:.*]] = tensor.expand_shape %{{.*}} output_shape [36, 1, 16, 32] : tensor<18432xf32> into tensor<36x1x16x32xf32>
// Input transforms: per 4x4 block, a 6x6 window of one channel vector in (a
// row of 6 pixels at a time), 36 points out.
// CHECK: %[[V:.*]] = scf.forall (%[[T:.*]]) in (4) shared_outs(%[[VO:.*]] = %{{.*}}) -> (tensor<36x4x16xf32>)
// CHECK: %[[VS:.*]] = tensor.extract_slice %[[VO]][0, %[[T]], 0] [36, 1, 16] [1, 1, 1] : tensor<36x4x16xf32> to tensor<36x16xf32>
// CHECK-COUNT-6: vector.transfer_read %arg0[{{.*}} : tensor<1x10x10x16xf32>, vector<6x16xf32>
// CHECK: %[[VW:.*]] = vector.transfer_write %{{.*}}, %[[VS]][%c0, %c0] {{.*}} : vector<36x16xf32>, tensor<36x16xf32>
// CHECK: tensor.parallel_insert_slice %[[VW]] into %[[VO]][0, %[[T]], 0] [36, 1, 16] [1, 1, 1]
// The 36 products, one batched blocked dense contraction.
// CHECK: %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%[[V]], %[[U]] : tensor<36x4x16xf32>, tensor<36x1x16x32xf32>)
// CHECK: } -> tensor<36x4x1x32xf32>
// CHECK: %[[MF:.*]] = tensor.collapse_shape %[[M]] {{\[}}[0], [1], [2, 3]] : tensor<36x4x1x32xf32> into tensor<36x4x32xf32>
// Output transforms: per block and output channel vector, its 36 points in,
// the bias added, the residual added (a row of 4 pixels at a time), relu,
// the 4x4 block out.
// CHECK: scf.forall (%[[B:.*]], %{{.*}}) in (4, 2) shared_outs
// CHECK: %[[P:.*]] = tensor.extract_slice %[[MF]][0, %[[B]], %{{.*}}] [36, 1, 16] [1, 1, 1] : tensor<36x4x32xf32> to tensor<36x16xf32>
// CHECK: vector.transfer_read %[[P]][%c0, %c0]{{.*}} : tensor<36x16xf32>, vector<36x16xf32>
// CHECK: vector.transfer_read %arg2[{{.*}} : tensor<32xf32>, vector<16xf32>
// CHECK-COUNT-16: arith.addf {{.*}} : vector<16xf32>
// CHECK-COUNT-4: vector.transfer_read %arg3[{{.*}} : tensor<1x8x8x32xf32>, vector<4x16xf32>
// CHECK-COUNT-16: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<4x4x16xf32>, tensor<4x4x16xf32>
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: return
func.func @conv(%in: tensor<1x10x10x16xf32>, %w: tensor<3x3x16x32xf32>, %bias: tensor<32xf32>, %res: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %weights = arith.constant dense<1.0> : tensor<3x3x16x32xf32>
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %init = linalg.broadcast ins(%bias : tensor<32xf32>) outs(%e : tensor<1x8x8x32xf32>) dimensions = [0, 1, 2]
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %weights : tensor<1x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %e2 = tensor.empty() : tensor<1x8x8x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %res : tensor<1x8x8x32xf32>, tensor<1x8x8x32xf32>) outs(%e2 : tensor<1x8x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}

// Without a bias (a zero-filled init) and without an epilogue, the output
// transform writes the conv's result.
// CHECK-LABEL: func.func @no_bias
// CHECK: scf.forall
// CHECK: linalg.generic
// CHECK: scf.forall
// CHECK-NOT: arith.maximumf
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: return
func.func @no_bias(%in: tensor<1x10x10x16xf32>) -> tensor<1x8x8x16xf32> {
  %weights = arith.constant dense<0.5> : tensor<3x3x16x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %weights : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}

// 6x6 outputs (the last blocks half outside): the zero-padded input padded
// once, further, to whole blocks (8x8 outputs); the residual padded alike;
// the result sliced back to 6x6.
// CHECK-LABEL: func.func @partial_blocks
// CHECK: tensor.pad %arg0 low[0, 1, 1, 0] high[0, 3, 3, 0]
// CHECK: } : tensor<1x6x6x16xf32> to tensor<1x10x10x16xf32>
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: tensor.pad %arg1 low[0, 0, 0, 0] high[0, 2, 2, 0]
// CHECK: } : tensor<1x6x6x16xf32> to tensor<1x8x8x16xf32>
// CHECK: %[[Y:.*]] = scf.forall {{.*}} -> (tensor<1x8x8x16xf32>)
// CHECK: tensor.extract_slice %[[Y]][0, 0, 0, 0] [1, 6, 6, 16] [1, 1, 1, 1] : tensor<1x8x8x16xf32> to tensor<1x6x6x16xf32>
func.func @partial_blocks(%x: tensor<1x6x6x16xf32>, %res: tensor<1x6x6x16xf32>) -> tensor<1x6x6x16xf32> {
  %weights = arith.constant dense<0.5> : tensor<3x3x16x16xf32>
  %zero = arith.constant 0.0 : f32
  %in = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x6x6x16xf32> to tensor<1x8x8x16xf32>
  %e = tensor.empty() : tensor<1x6x6x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x6x16xf32>) -> tensor<1x6x6x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %weights : tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x6x6x16xf32>) -> tensor<1x6x6x16xf32>
  %e2 = tensor.empty() : tensor<1x6x6x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %res : tensor<1x6x6x16xf32>, tensor<1x6x6x16xf32>) outs(%e2 : tensor<1x6x6x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x6x6x16xf32>
  return %r : tensor<1x6x6x16xf32>
}

// Stays a direct conv: strided, 8 input channels (not a vector), weights
// that are not a constant, 512 x 512 channels at 8x8 (transformed weights
// of 37.7 MB streamed from memory for 64 output pixels: the direct conv is
// faster).
// CHECK-LABEL: func.func @direct
// CHECK-NOT: scf.forall
// CHECK-COUNT-4: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: scf.forall
func.func @direct(%in: tensor<1x17x17x16xf32>, %in8: tensor<1x10x10x8xf32>, %in10: tensor<1x10x10x16xf32>, %w: tensor<3x3x16x16xf32>, %in512: tensor<1x10x10x512xf32>) -> (tensor<1x8x8x16xf32>, tensor<1x8x8x16xf32>, tensor<1x8x8x16xf32>, tensor<1x8x8x512xf32>) {
  %weights = arith.constant dense<0.5> : tensor<3x3x16x16xf32>
  %weights8 = arith.constant dense<0.5> : tensor<3x3x8x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %strided = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %weights : tensor<1x17x17x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %narrow = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in8, %weights8 : tensor<1x10x10x8xf32>, tensor<3x3x8x16xf32>) outs(%init : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %variable = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in10, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %weights512 = arith.constant dense<0.5> : tensor<3x3x512x512xf32>
  %e512 = tensor.empty() : tensor<1x8x8x512xf32>
  %init512 = linalg.fill ins(%zero : f32) outs(%e512 : tensor<1x8x8x512xf32>) -> tensor<1x8x8x512xf32>
  %streamed = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in512, %weights512 : tensor<1x10x10x512xf32>, tensor<3x3x512x512xf32>) outs(%init512 : tensor<1x8x8x512xf32>) -> tensor<1x8x8x512xf32>
  return %strided, %narrow, %variable, %streamed : tensor<1x8x8x16xf32>, tensor<1x8x8x16xf32>, tensor<1x8x8x16xf32>, tensor<1x8x8x512xf32>
}

// 512 x 512 channels at 12x12: transformed weights of 37.7 MB, over the 16
// MB the executable stores. The conv's weights stay a constant; the runtime
// transforms them into a global (zero-initialised: no space in the
// executable) before the first use, once (the flag).
// CHECK-LABEL: func.func @wide
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<3x3x512x512xf32> to memref<3x3x512x512xf32>
// CHECK: %[[U:.*]] = memref.get_global @[[GLOBAL]] : memref<9437184xf32>
// CHECK: %[[READY:.*]] = memref.get_global @[[GLOBAL]].ready : memref<i32>
// CHECK: memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[WP:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK: memref.extract_aligned_pointer_as_index %[[U]]
// CHECK: %[[UP:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK: memref.extract_aligned_pointer_as_index %[[READY]]
// CHECK: %[[RP:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK: call @cnnrt_winograd_weights(%[[WP]], %[[UP]], %c512_i64, %c512_i64, %c32_i64, %[[RP]]) : (!llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr) -> ()
// CHECK: %[[UT:.*]] = bufferization.to_tensor %[[U]] restrict : memref<9437184xf32> to tensor<9437184xf32>
// CHECK: tensor.expand_shape %[[UT]] {{.*}} into tensor<36x16x512x32xf32>
// CHECK: return
func.func @wide(%in512: tensor<1x14x14x512xf32>) -> tensor<1x12x12x512xf32> {
  %zero = arith.constant 0.0 : f32
  %weights512 = arith.constant dense<0.5> : tensor<3x3x512x512xf32>
  %e512 = tensor.empty() : tensor<1x12x12x512xf32>
  %init512 = linalg.fill ins(%zero : f32) outs(%e512 : tensor<1x12x12x512xf32>) -> tensor<1x12x12x512xf32>
  %wide = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in512, %weights512 : tensor<1x14x14x512xf32>, tensor<3x3x512x512xf32>) outs(%init512 : tensor<1x12x12x512xf32>) -> tensor<1x12x12x512xf32>
  return %wide : tensor<1x12x12x512xf32>
}

// One 4x4 block is too few (measured: no faster than the direct conv).
// CHECK-LABEL: func.func @one_block
// CHECK-NOT: scf.forall
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @one_block(%in: tensor<1x6x6x16xf32>) -> tensor<1x4x4x16xf32> {
  %weights = arith.constant dense<0.5> : tensor<3x3x16x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %weights : tensor<1x6x6x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  return %c : tensor<1x4x4x16xf32>
}

// A 2x2 stride-2 max pool of the result: each 4x4 block of outputs pooled to
// 2x2 in the output transform (the max of the pool's init and the window's 4
// outputs; the -inf init folds away: 3 maxima per pooled vector), 10x10
// outputs (3x3 blocks) -> 6x6 written -> 5x5 sliced.
// CHECK-LABEL: func.func @pooled
// CHECK-NOT: linalg.pooling_nhwc_max
// CHECK: scf.forall (%{{.*}}) in (9) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x6x6x16xf32>)
// CHECK: tensor.extract_slice %{{.*}} [1, 2, 2, 16] [1, 1, 1, 1] : tensor<1x6x6x16xf32> to tensor<2x2x16xf32>
// CHECK-COUNT-12: arith.maximumf {{.*}} : vector<16xf32>
// CHECK-NOT: arith.maximumf
// CHECK: vector.transfer_write {{.*}} : vector<2x2x16xf32>, tensor<2x2x16xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 5, 5, 16] [1, 1, 1, 1] : tensor<1x6x6x16xf32> to tensor<1x5x5x16xf32>
func.func @pooled(%in: tensor<1x12x12x16xf32>) -> tensor<1x5x5x16xf32> {
  %weights = arith.constant dense<0.5> : tensor<3x3x16x16xf32>
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x10x10x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x10x10x16xf32>) -> tensor<1x10x10x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %weights : tensor<1x12x12x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x10x10x16xf32>) -> tensor<1x10x10x16xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<1x5x5x16xf32>
  %pinit = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x5x5x16xf32>) -> tensor<1x5x5x16xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%c, %window : tensor<1x10x10x16xf32>, tensor<2x2xf32>) outs(%pinit : tensor<1x5x5x16xf32>) -> tensor<1x5x5x16xf32>
  return %p : tensor<1x5x5x16xf32>
}

// The run-time transform, declared once at the end of the module.
// CHECK: func.func private @cnnrt_winograd_weights(!llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr)
