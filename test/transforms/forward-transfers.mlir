// RUN: %cnnc-opt %s --cnnc-forward-transfers | FileCheck %s

// A fused conv tile after bufferization: the bias goes to a tile buffer and
// is read back as the accumulator (through a rank-reducing view), the
// result is stored there and read back for the epilogue. Both reads take
// the stored vectors; the buffer, only written then, goes with its stores.
// CHECK-LABEL: func.func @tile_temporary
// CHECK-SAME: (%[[BIAS:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<4x7x16xf32>)
// CHECK-NOT: memref.alloc
// CHECK: scf.forall (%[[I:.*]]) in (4)
// CHECK: %[[B:.*]] = vector.transfer_read %[[BIAS]]
// CHECK-NOT: vector.transfer_write
// CHECK: %[[ACC:.*]] = arith.addf %[[B]], %[[B]] : vector<7x16xf32>
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[ACC]], %{{.*}} : vector<7x16xf32>
// CHECK-NEXT: vector.transfer_write %[[R]], %[[OUT]][%[[I]], %{{.*}}, %{{.*}}]
// CHECK-NOT: vector.transfer_write
func.func @tile_temporary(%bias: memref<16xf32>, %out: memref<4x7x16xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<7x16xf32>
  scf.forall (%i) in (4) {
    %tmp = memref.alloc() {alignment = 64 : i64} : memref<1x1x7x16xf32>
    %b = vector.transfer_read %bias[%c0], %pad {in_bounds = [true, true], permutation_map = affine_map<(d0) -> (0, d0)>} : memref<16xf32>, vector<7x16xf32>
    vector.transfer_write %b, %tmp[%c0, %c0, %c0, %c0] {in_bounds = [true, true]} : vector<7x16xf32>, memref<1x1x7x16xf32>
    %view = memref.subview %tmp[0, 0, 0, 0] [1, 1, 7, 16] [1, 1, 1, 1] : memref<1x1x7x16xf32> to memref<1x7x16xf32, strided<[112, 16, 1]>>
    %init = vector.transfer_read %view[%c0, %c0, %c0], %pad {in_bounds = [true, true]} : memref<1x7x16xf32, strided<[112, 16, 1]>>, vector<7x16xf32>
    %acc = arith.addf %init, %b : vector<7x16xf32>
    vector.transfer_write %acc, %view[%c0, %c0, %c0] {in_bounds = [true, true]} : vector<7x16xf32>, memref<1x7x16xf32, strided<[112, 16, 1]>>
    %res = vector.transfer_read %tmp[%c0, %c0, %c0, %c0], %pad {in_bounds = [true, true]} : memref<1x1x7x16xf32>, vector<7x16xf32>
    %relu = arith.maximumf %res, %zero : vector<7x16xf32>
    %row = memref.subview %out[%i, 0, 0] [1, 7, 16] [1, 1, 1] : memref<4x7x16xf32> to memref<7x16xf32, strided<[16, 1], offset: ?>>
    vector.transfer_write %relu, %row[%c0, %c0] {in_bounds = [true, true]} : vector<7x16xf32>, memref<7x16xf32, strided<[16, 1], offset: ?>>
  }
  return
}

// A transfer over a grouped conv's [N, H, W, G, F/G] view of an NHWC buffer
// (one group: a unit vector dimension on G, all of F/G): the group's
// dimensions merge into one, on the buffer itself at the group's offset
// (MLIR's fold would keep the vector's shape on the collapsed buffer and
// read rows for pixels); reads and writes alike.
// CHECK-LABEL: func.func @group_view
// CHECK: %[[AT:.*]] = affine.apply #{{.*}}()[%arg3]
// CHECK: %[[R:.*]] = vector.transfer_read %arg0[%c0, %arg2, %c0, %[[AT]]], {{.*}} {in_bounds = [true, true]} : memref<1x8x8x64xf32>, vector<8x8xf32>
// CHECK: vector.transfer_write %[[R]], %arg1[{{.*}}] {in_bounds = [true, true]} : vector<8x8xf32>, memref<1x8x8x64xf32>
func.func @group_view(%m: memref<1x8x8x64xf32>, %out: memref<1x8x8x64xf32>, %i: index, %j: index) {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %e = memref.expand_shape %m [[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 8, 8] : memref<1x8x8x64xf32> into memref<1x8x8x8x8xf32>
  %s = memref.subview %e[0, %i, 0, %j, 0] [1, 1, 8, 1, 8] [1, 1, 1, 1, 1] : memref<1x8x8x8x8xf32> to memref<1x1x8x1x8xf32, strided<[4096, 512, 64, 8, 1], offset: ?>>
  %v = vector.transfer_read %s[%c0, %c0, %c0, %c0, %c0], %p {in_bounds = [true, true, true]} : memref<1x1x8x1x8xf32, strided<[4096, 512, 64, 8, 1], offset: ?>>, vector<8x1x8xf32>
  %o = memref.expand_shape %out [[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 8, 8] : memref<1x8x8x64xf32> into memref<1x8x8x8x8xf32>
  %t = memref.subview %o[0, %i, 0, %j, 0] [1, 1, 8, 1, 8] [1, 1, 1, 1, 1] : memref<1x8x8x8x8xf32> to memref<1x1x8x1x8xf32, strided<[4096, 512, 64, 8, 1], offset: ?>>
  vector.transfer_write %v, %t[%c0, %c0, %c0, %c0, %c0] {in_bounds = [true, true, true]} : vector<8x1x8xf32>, memref<1x1x8x1x8xf32, strided<[4096, 512, 64, 8, 1], offset: ?>>
  return
}

// Part of each group's F/G: not contiguous, so the unit dimension on G is
// dropped instead and the view stays (a map that is no minor identity,
// which MLIR's fold leaves alone).
// CHECK-LABEL: func.func @group_view_part
// CHECK: %[[VIEW:.*]] = memref.expand_shape %arg0 {{.*}} into memref<1x8x8x8x8xf32>
// CHECK: vector.transfer_read %[[VIEW]][%c0, %arg1, %c0, %arg2, %c0], {{.*}} permutation_map = #{{.*}}} : memref<1x8x8x8x8xf32>, vector<8x4xf32>
func.func @group_view_part(%m: memref<1x8x8x64xf32>, %i: index, %j: index) -> vector<8x1x4xf32> {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %e = memref.expand_shape %m [[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 8, 8] : memref<1x8x8x64xf32> into memref<1x8x8x8x8xf32>
  %s = memref.subview %e[0, %i, 0, %j, 0] [1, 1, 8, 1, 4] [1, 1, 1, 1, 1] : memref<1x8x8x8x8xf32> to memref<1x1x8x1x4xf32, strided<[4096, 512, 64, 8, 1], offset: ?>>
  %v = vector.transfer_read %s[%c0, %c0, %c0, %c0, %c0], %p {in_bounds = [true, true, true]} : memref<1x1x8x1x4xf32, strided<[4096, 512, 64, 8, 1], offset: ?>>, vector<8x1x4xf32>
  return %v : vector<8x1x4xf32>
}

// A channel shuffle reads each pixel's channels as [2, 8]: one contiguous
// read of 16 on the buffer, shaped to 2x8.
// CHECK-LABEL: func.func @shuffle_view
// CHECK: %[[R:.*]] = vector.transfer_read %arg0[%c0, %arg1, %arg2, %c0], {{.*}} : memref<1x4x4x16xf32>, vector<16xf32>
// CHECK: vector.shape_cast %[[R]] : vector<16xf32> to vector<2x8xf32>
func.func @shuffle_view(%m: memref<1x4x4x16xf32>, %i: index, %j: index) -> vector<2x8xf32> {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %e = memref.expand_shape %m [[0], [1], [2], [3, 4]] output_shape [1, 4, 4, 2, 8] : memref<1x4x4x16xf32> into memref<1x4x4x2x8xf32>
  %v = vector.transfer_read %e[%c0, %i, %j, %c0, %c0], %p {in_bounds = [true, true]} : memref<1x4x4x2x8xf32>, vector<2x8xf32>
  return %v : vector<2x8xf32>
}

// A tile of 2 x 2 of a [2, 58] channel view is not contiguous: one read of
// 2 per row of the tile, each on the buffer.
// CHECK-LABEL: func.func @shuffle_part
// CHECK: %[[R0:.*]] = vector.transfer_read %arg0[%c0, %arg1, %arg2, %{{.*}}], {{.*}} : memref<1x4x4x116xf32>, vector<2xf32>
// CHECK: %[[V0:.*]] = vector.insert %[[R0]], %{{.*}} [0] : vector<2xf32> into vector<2x2xf32>
// CHECK: %[[R1:.*]] = vector.transfer_read %arg0[%c0, %arg1, %arg2, %{{.*}}], {{.*}} : memref<1x4x4x116xf32>, vector<2xf32>
// CHECK: vector.insert %[[R1]], %[[V0]] [1] : vector<2xf32> into vector<2x2xf32>
func.func @shuffle_part(%m: memref<1x4x4x116xf32>, %i: index, %j: index, %k: index) -> vector<2x2xf32> {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %e = memref.expand_shape %m [[0], [1], [2], [3, 4]] output_shape [1, 4, 4, 2, 58] : memref<1x4x4x116xf32> into memref<1x4x4x2x58xf32>
  %v = vector.transfer_read %e[%c0, %i, %j, %c0, %k], %p {in_bounds = [true, true]} : memref<1x4x4x2x58xf32>, vector<2x2xf32>
  return %v : vector<2x2xf32>
}
