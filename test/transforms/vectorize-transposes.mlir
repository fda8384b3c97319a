// RUN: %cnnc-opt %s --cnnc-vectorize-transposes --canonicalize | FileCheck %s

// NCHW -> NHWC with 3 channels: tiles of 16 pixels x 3 channels on the
// forall (rows x pixel tiles), each read as 3 rows of 16, interleaved by one
// shuffle, written as 16 pixels of 3 channels.
// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK: scf.forall (%[[H:.*]], %[[W:.*]]) in (32, 2) shared_outs
// CHECK: %[[R:.*]] = vector.transfer_read {{.*}} : tensor<1x3x1x16xf32>, vector<3x1x16xf32>
// CHECK: %[[F:.*]] = vector.shape_cast %[[R]] : vector<3x1x16xf32> to vector<48xf32>
// CHECK: %[[S:.*]] = vector.shuffle %[[F]], %[[F]] [0, 16, 32, 1, 17, 33, 2,
// CHECK: %[[T:.*]] = vector.shape_cast %[[S]] : vector<48xf32> to vector<16x3xf32>
// CHECK: vector.transfer_write %[[T]]
// CHECK-NOT: linalg.transpose
func.func @nchw_to_nhwc(%x: tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32> {
  %e = tensor.empty() : tensor<1x32x32x3xf32>
  %t = linalg.transpose ins(%x : tensor<1x3x32x32xf32>) outs(%e : tensor<1x32x32x3xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<1x32x32x3xf32>
}

// NHWC -> NCHW with 255 channels at 13x13: tiles of the widest divisors up
// to 16, 15 channels x 13 pixels.
// CHECK-LABEL: func.func @nhwc_to_nchw
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (17, 13) shared_outs
// CHECK: vector.transfer_read {{.*}} vector<13x15xf32>
// CHECK: vector.shuffle {{.*}} : vector<195xf32>, vector<195xf32>
// CHECK: vector.transfer_write {{.*}} : vector<15x1x13xf32>
// CHECK-NOT: linalg.transpose
func.func @nhwc_to_nchw(%x: tensor<1x13x13x255xf32>) -> tensor<1x255x13x13xf32> {
  %e = tensor.empty() : tensor<1x255x13x13xf32>
  %t = linalg.transpose ins(%x : tensor<1x13x13x255xf32>) outs(%e : tensor<1x255x13x13xf32>) permutation = [0, 3, 1, 2]
  return %t : tensor<1x255x13x13xf32>
}

// A 16 x 16 tile is transposed by unpacks and permutes of 16-lane vectors,
// not one 256-lane shuffle.
// CHECK-LABEL: func.func @tile_16x16
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (4, 2) shared_outs
// CHECK: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK-NOT: vector<256xf32>
// CHECK: return
func.func @tile_16x16(%x: tensor<1x4x32x16xf32>) -> tensor<1x16x4x32xf32> {
  %e = tensor.empty() : tensor<1x16x4x32xf32>
  %t = linalg.transpose ins(%x : tensor<1x4x32x16xf32>) outs(%e : tensor<1x16x4x32xf32>) permutation = [0, 3, 1, 2]
  return %t : tensor<1x16x4x32xf32>
}
