// RUN: %cnnc-opt %s --cnnc-vectorize-buffer-ops --canonicalize | FileCheck %s
// RUN: %cnnc-opt %s --cnnc-vectorize-buffer-ops=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

#up = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// The left column border of a padded NHWC buffer: a thread-level loop over
// the rows, each row's 16 channels one vector store (LLVM made scatters of
// the loop nest); cnnc-parallelize outlines it (a call, or the pool). A copy
// the same way; ops inside a thread-level loop are left to their own
// schedules; a generic with index arithmetic is tiled but stays a generic.
// CHECK-LABEL: func.func @leftovers
// CHECK: scf.forall (%{{.*}}) in (8) {
// CHECK-NEXT: memref.subview
// CHECK-NEXT: vector.transfer_write {{.*}} {in_bounds = [true, true, true, true]} : vector<1x1x1x16xf32>, memref<1x1x1x16xf32, strided<[1600, 160, 16, 1], offset: ?>>
// CHECK-NEXT: }
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (8, 8) {
// CHECK: vector.transfer_read {{.*}} vector<1x1x1x16xf32>
// CHECK-NEXT: vector.transfer_write {{.*}} vector<1x1x1x16xf32>
// CHECK: scf.forall
// CHECK: linalg.fill
// CHECK: scf.forall (%{{.*}}) in (8) {
// CHECK: linalg.generic
// CHECK-NOT: linalg.copy
func.func @leftovers(%buf: memref<1x10x10x16xf32>, %src: memref<1x8x8x16xf32>, %rows: memref<4x16xf32>, %up: memref<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %col = memref.subview %buf[0, 1, 0, 0] [1, 8, 1, 16] [1, 1, 1, 1] : memref<1x10x10x16xf32> to memref<1x8x1x16xf32, strided<[1600, 160, 16, 1], offset: 160>>
  linalg.fill ins(%zero : f32) outs(%col : memref<1x8x1x16xf32, strided<[1600, 160, 16, 1], offset: 160>>)
  %inner = memref.subview %buf[0, 1, 1, 0] [1, 8, 8, 16] [1, 1, 1, 1] : memref<1x10x10x16xf32> to memref<1x8x8x16xf32, strided<[1600, 160, 16, 1], offset: 176>>
  linalg.copy ins(%src : memref<1x8x8x16xf32>) outs(%inner : memref<1x8x8x16xf32, strided<[1600, 160, 16, 1], offset: 176>>)
  scf.forall (%i) in (4) {
    %row = memref.subview %rows[%i, 0] [1, 16] [1, 1] : memref<4x16xf32> to memref<1x16xf32, strided<[16, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%row : memref<1x16xf32, strided<[16, 1], offset: ?>>)
  }
  linalg.generic {indexing_maps = [#up, #id], iterator_types = ["parallel", "parallel"]} ins(%rows : memref<4x16xf32>) outs(%up : memref<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}

// A row longer than 16 elements that 16 divides (a 512-channel border) is
// stored in chunks of 16, one more loop: whole 512-element rows made loops
// that LLVM unrolled into thousands of stores (slow to compile); 40 elements
// (not a multiple of 16) stay one row.
// CHECK-LABEL: func.func @wide_rows
// CHECK: scf.forall (%{{.*}}) in (3) {
// CHECK-NEXT: memref.subview
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c512 step %c16 {
// CHECK-NEXT: memref.subview
// CHECK-NEXT: vector.transfer_write {{.*}} : vector<1x1x1x16xf32>, memref<1x1x1x16xf32, strided<[4608, 1536, 512, 1], offset: ?>>
// CHECK: scf.forall (%{{.*}}) in (3) {
// CHECK-NEXT: memref.subview
// CHECK-NEXT: vector.transfer_write {{.*}} : vector<1x1x1x40xf32>
func.func @wide_rows(%buf: memref<1x3x3x512xf32>, %odd: memref<1x3x3x40xf32>) {
  %zero = arith.constant 0.0 : f32
  %col = memref.subview %buf[0, 0, 0, 0] [1, 3, 1, 512] [1, 1, 1, 1] : memref<1x3x3x512xf32> to memref<1x3x1x512xf32, strided<[4608, 1536, 512, 1]>>
  linalg.fill ins(%zero : f32) outs(%col : memref<1x3x1x512xf32, strided<[4608, 1536, 512, 1]>>)
  %col40 = memref.subview %odd[0, 0, 0, 0] [1, 3, 1, 40] [1, 1, 1, 1] : memref<1x3x3x40xf32> to memref<1x3x1x40xf32, strided<[360, 120, 40, 1]>>
  linalg.fill ins(%zero : f32) outs(%col40 : memref<1x3x1x40xf32, strided<[360, 120, 40, 1]>>)
  return
}

// An elementwise layer (every loop parallel) has its outer dimensions in a
// thread-level scf.forall (cnnc-parallelize decides whether the pool runs
// it), a row per iteration; a generic with a reduction keeps scf.for loops.
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#sum_in = affine_map<(d0, d1) -> (d0, d1)>
#sum_out = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @elementwise_layer
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) in (4, 8) {
// CHECK: vector.transfer_read {{.*}} : memref<1x1x1x16xf32, {{.*}}>, vector<1x1x1x16xf32>
// CHECK: arith.addf {{.*}} : vector<1x1x1x16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x1x1x16xf32>, memref<1x1x1x16xf32
// CHECK: }
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: vector.multi_reduction
func.func @elementwise_layer(%a: memref<1x4x8x16xf32>, %b: memref<1x4x8x16xf32>, %out: memref<1x4x8x16xf32>, %m: memref<4x16xf32>, %s: memref<4xf32>) {
  linalg.generic {indexing_maps = [#map4, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b : memref<1x4x8x16xf32>, memref<1x4x8x16xf32>) outs(%out : memref<1x4x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.addf %x, %y : f32
    linalg.yield %z : f32
  }
  linalg.generic {indexing_maps = [#sum_in, #sum_out], iterator_types = ["parallel", "reduction"]} ins(%m : memref<4x16xf32>) outs(%s : memref<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %z = arith.addf %x, %acc : f32
    linalg.yield %z : f32
  }
  return
}

// Ops of one schedule share a script, but one's failure leaves the others
// to go on: the upsample generic stays scalar, the add after it (the same
// rows) is vectorised, and --report says which is which.
// CHECK-LABEL: func.func @failure_alone
// CHECK: linalg.generic
// CHECK: arith.addf {{.*}} : vector<1x16xf32>
// REPORT: vectorize-buffer-ops.mlir:[[#@LINE+4]]:3: remark: scalar loops
// REPORT: vectorize-buffer-ops.mlir:[[#@LINE+7]]:3: remark: vectorized: rows of 16 elements
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @failure_alone(%rows: memref<4x16xf32>, %up: memref<8x16xf32>, %a: memref<8x16xf32>, %out: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [#up, #id], iterator_types = ["parallel", "parallel"]} ins(%rows : memref<4x16xf32>) outs(%up : memref<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%up, %a : memref<8x16xf32>, memref<8x16xf32>) outs(%out : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.addf %x, %y : f32
    linalg.yield %z : f32
  }
  return
}
