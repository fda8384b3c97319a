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
