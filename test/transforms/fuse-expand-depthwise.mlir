// RUN: %cnnc-opt %s --cnnc-fuse-expand-depthwise=report --canonicalize --cse --split-input-file 2>&1 | FileCheck %s
// As the pipeline runs it: the schedule selection leaving the pairs this
// pass fuses unscheduled, cnnc-vectorize-conv vectorising the others.
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule=keep-expand-depthwise --cnnc-vectorize-conv --cnnc-fuse-expand-depthwise --split-input-file 2>&1 | FileCheck %s --check-prefix=PIPE
// PIPE-LABEL: func.func @stride2
// PIPE-NOT: linalg.conv_2d_nhwc_hwcf
// PIPE-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// PIPE: vector.transfer_write {{.*}} : vector<6x16xf32>, tensor<3x8x16xf32>
// PIPE-LABEL: func.func @shared_expansion
// PIPE-NOT: linalg.conv_2d_nhwc_hwcf
// PIPE-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// PIPE: vector.fma
// PIPE-LABEL: func.func @not_pointwise

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// MobileNetV2's stride-2 block: a 1x1 expansion 16 -> 32 with bias + relu6,
// zero-padded, read by a 3x3/2 depthwise conv with bias. One forall over
// the channel vectors (the unit batch dimension folded away), a ring of 3
// padded rows of 6 + 2 columns per iteration inside it.
// CHECK: remark: fused with its 1x1 expansion: expanded rows computed into a ring of 3 rows per 16 ch; vectorized: expansion tile 6 px x 16 ch, reduction 4 ch; depthwise tile 3 px x 16 ch
// CHECK: remark: computed inside the depthwise conv that reads it (fused)
// CHECK-LABEL: func.func @stride2
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: scf.forall (%[[V:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x3x3x32xf32>)
// CHECK: %[[CH:.*]] = arith.muli %[[V]], %c16
// CHECK: %[[RING0:.*]] = tensor.empty() : tensor<3x8x16xf32>
// The biases and the 9 weight vectors of the window, read once.
// CHECK: %[[BE:.*]] = vector.transfer_read %arg2[%[[CH]]]
// CHECK: %[[BD:.*]] = vector.transfer_read %arg4[%[[CH]]]
// CHECK-COUNT-9: vector.transfer_read %arg3[{{.*}}, %[[CH]]]
// Padding columns (left and right) zero in all 3 slots.
// CHECK: vector.transfer_write %{{.*}}[%c0, %c0, %c0] {{.*}} : vector<3x1x16xf32>, tensor<3x8x16xf32>
// CHECK: vector.transfer_write %{{.*}}[%c0, %c7, %c0] {{.*}} : vector<3x1x16xf32>, tensor<3x8x16xf32>
// Padded row 0 is padding: zeros, known at compile time.
// CHECK: scf.for {{.*}} to %c6
// CHECK: vector.transfer_write %cst{{.*}} : vector<16xf32>, tensor<3x8x16xf32>
// Per output row: padded rows 2r + 1 and 2r + 2 into slots (row mod 3),
// expanded when inside the image, else zeros.
// CHECK: scf.for %[[R:.*]] = %c0 to %c3 step %c1 iter_args(%[[RING:.*]] = %{{.*}}, %[[ROWS:.*]] = %{{.*}})
// CHECK: scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK: %[[SLOT:.*]] = arith.remui %[[P]], %c3
// CHECK: arith.cmpi uge, %[[P]], %c1
// CHECK: arith.cmpi ult, %[[P]], %c7
// CHECK: scf.if
// The expansion: 6 pixels x 16 channels of accumulators from the bias, 4
// input channels per step, each a broadcast input times a weight vector.
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4 iter_args(%{{.*}} = %[[BE]], %{{.*}} = %[[BE]], %{{.*}} = %[[BE]], %{{.*}} = %[[BE]], %{{.*}} = %[[BE]], %{{.*}} = %[[BE]])
// CHECK: vector.transfer_read %arg1[%c0, %c0, %{{.*}}, %[[CH]]]
// CHECK: tensor.extract %arg0
// CHECK: vector.broadcast
// CHECK: vector.fma
// The epilogue on vectors, then the 6 pixels into the ring after the
// padding column, one write.
// CHECK-COUNT-6: arith.minimumf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%[[SLOT]], %c1, %c0] {{.*}} : vector<6x16xf32>, tensor<3x8x16xf32>
// CHECK: } else {
// The depthwise row: per window row, the 7 columns its 3 pixels cover read
// once from that row's slot, 9 FMAs per pixel; the 3 pixels written at once.
// CHECK-COUNT-3: vector.transfer_read %{{.*}} : tensor<3x8x16xf32>, vector<7x16xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[ROWS]][%[[R]], %c0, %c0] {{.*}} : vector<3x16xf32>, tensor<3x3x16xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, 0, 0, %[[CH]]] [1, 3, 3, 16]

func.func @stride2(%x: tensor<1x6x6x16xf32>, %we: tensor<1x1x16x32xf32>, %be: tensor<32xf32>, %wd: tensor<3x3x32xf32>, %bd: tensor<32xf32>) -> tensor<1x3x3x32xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e0 = tensor.empty() : tensor<1x6x6x32xf32>
  %eb = linalg.broadcast ins(%be : tensor<32xf32>) outs(%e0 : tensor<1x6x6x32xf32>) dimensions = [0, 1, 2]
  %e = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %we : tensor<1x6x6x16xf32>, tensor<1x1x16x32xf32>) outs(%eb : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%e : tensor<1x6x6x32xf32>) outs(%e0 : tensor<1x6x6x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.maximumf %in, %zero : f32
    %b = arith.minimumf %a, %six : f32
    linalg.yield %b : f32
  } -> tensor<1x6x6x32xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x6x6x32xf32> to tensor<1x8x8x32xf32>
  %d0 = tensor.empty() : tensor<1x3x3x32xf32>
  %db = linalg.broadcast ins(%bd : tensor<32xf32>) outs(%d0 : tensor<1x3x3x32xf32>) dimensions = [0, 1, 2]
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %wd : tensor<1x8x8x32xf32>, tensor<3x3x32xf32>) outs(%db : tensor<1x3x3x32xf32>) -> tensor<1x3x3x32xf32>
  return %d : tensor<1x3x3x32xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// The expansion has a second reader: it stays a conv of its own.
// CHECK-LABEL: func.func @shared_expansion
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @shared_expansion(%x: tensor<1x6x6x16xf32>, %we: tensor<1x1x16x32xf32>, %wd: tensor<3x3x32xf32>, %b: f32) -> (tensor<1x6x6x32xf32>, tensor<1x4x4x32xf32>) {
  %e0 = tensor.empty() : tensor<1x6x6x32xf32>
  %ef = linalg.fill ins(%b : f32) outs(%e0 : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %e = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %we : tensor<1x6x6x16xf32>, tensor<1x1x16x32xf32>) outs(%ef : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %d0 = tensor.empty() : tensor<1x4x4x32xf32>
  %df = linalg.fill ins(%b : f32) outs(%d0 : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%e, %wd : tensor<1x6x6x32xf32>, tensor<3x3x32xf32>) outs(%df : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %e, %d : tensor<1x6x6x32xf32>, tensor<1x4x4x32xf32>
}

// -----

// A 3x3 producer is no expansion.
// CHECK-LABEL: func.func @not_pointwise
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @not_pointwise(%x: tensor<1x8x8x16xf32>, %we: tensor<3x3x16x32xf32>, %wd: tensor<3x3x32xf32>, %b: f32) -> tensor<1x4x4x32xf32> {
  %e0 = tensor.empty() : tensor<1x6x6x32xf32>
  %ef = linalg.fill ins(%b : f32) outs(%e0 : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %e = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %we : tensor<1x8x8x16xf32>, tensor<3x3x16x32xf32>) outs(%ef : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %d0 = tensor.empty() : tensor<1x4x4x32xf32>
  %df = linalg.fill ins(%b : f32) outs(%d0 : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%e, %wd : tensor<1x6x6x32xf32>, tensor<3x3x32xf32>) outs(%df : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %d : tensor<1x4x4x32xf32>
}

// -----

// 24 channels: no whole vectors of 16.
// CHECK-LABEL: func.func @partial_vector
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @partial_vector(%x: tensor<1x6x6x16xf32>, %we: tensor<1x1x16x24xf32>, %wd: tensor<3x3x24xf32>, %b: f32) -> tensor<1x4x4x24xf32> {
  %e0 = tensor.empty() : tensor<1x6x6x24xf32>
  %ef = linalg.fill ins(%b : f32) outs(%e0 : tensor<1x6x6x24xf32>) -> tensor<1x6x6x24xf32>
  %e = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %we : tensor<1x6x6x16xf32>, tensor<1x1x16x24xf32>) outs(%ef : tensor<1x6x6x24xf32>) -> tensor<1x6x6x24xf32>
  %d0 = tensor.empty() : tensor<1x4x4x24xf32>
  %df = linalg.fill ins(%b : f32) outs(%d0 : tensor<1x4x4x24xf32>) -> tensor<1x4x4x24xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%e, %wd : tensor<1x6x6x24xf32>, tensor<3x3x24xf32>) outs(%df : tensor<1x4x4x24xf32>) -> tensor<1x4x4x24xf32>
  return %d : tensor<1x4x4x24xf32>
}

// -----

// A dilated window reads rows the ring does not hold.
// CHECK-LABEL: func.func @dilated
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @dilated(%x: tensor<1x6x6x16xf32>, %we: tensor<1x1x16x32xf32>, %wd: tensor<3x3x32xf32>, %b: f32) -> tensor<1x2x2x32xf32> {
  %e0 = tensor.empty() : tensor<1x6x6x32xf32>
  %ef = linalg.fill ins(%b : f32) outs(%e0 : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %e = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %we : tensor<1x6x6x16xf32>, tensor<1x1x16x32xf32>) outs(%ef : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %d0 = tensor.empty() : tensor<1x2x2x32xf32>
  %df = linalg.fill ins(%b : f32) outs(%d0 : tensor<1x2x2x32xf32>) -> tensor<1x2x2x32xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%e, %wd : tensor<1x6x6x32xf32>, tensor<3x3x32xf32>) outs(%df : tensor<1x2x2x32xf32>) -> tensor<1x2x2x32xf32>
  return %d : tensor<1x2x2x32xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// The expansion's epilogue adds another tensor: not fused (only the
// depthwise conv's epilogue may read other tensors).
// CHECK-LABEL: func.func @expansion_residual
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @expansion_residual(%x: tensor<1x6x6x16xf32>, %we: tensor<1x1x16x32xf32>, %wd: tensor<3x3x32xf32>, %b: f32, %res: tensor<1x6x6x32xf32>) -> tensor<1x4x4x32xf32> {
  %e0 = tensor.empty() : tensor<1x6x6x32xf32>
  %ef = linalg.fill ins(%b : f32) outs(%e0 : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %e = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %we : tensor<1x6x6x16xf32>, tensor<1x1x16x32xf32>) outs(%ef : tensor<1x6x6x32xf32>) -> tensor<1x6x6x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%e, %res : tensor<1x6x6x32xf32>, tensor<1x6x6x32xf32>) outs(%e0 : tensor<1x6x6x32xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x6x6x32xf32>
  %d0 = tensor.empty() : tensor<1x4x4x32xf32>
  %df = linalg.fill ins(%b : f32) outs(%d0 : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%r, %wd : tensor<1x6x6x32xf32>, tensor<3x3x32xf32>) outs(%df : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %d : tensor<1x4x4x32xf32>
}
