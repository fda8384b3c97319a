// RUN: %cnnc-opt %s --cnnc-parallelize=min-work=0 --split-input-file | FileCheck %s
// RUN: %cnnc-opt %s --cnnc-parallelize --split-input-file | FileCheck %s --check-prefix=SMALL

// Under min-work (the default, a million element ops), a loop is outlined
// all the same and its task called on the calling thread, never inlined.
// SMALL-LABEL: func.func @m_run(
// SMALL-NOT: scf.forall
// SMALL: %[[ZERO:.*]] = arith.constant 0 : i64
// SMALL: %[[N:.*]] = arith.constant 8 : i64
// SMALL: call @m_run_loop0(%{{.*}}, %[[ZERO]], %[[N]])
// SMALL: func.func private @m_run_loop0({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// SMALL-NOT: cnnrt_parallel_for
// RUN: %cnnc-opt %s --cnnc-parallelize --split-input-file | FileCheck %s --check-prefix=SMALL

// By default, loops this small stay sequential.
// SMALL-NOT: cnnrt_parallel_for

// The forall becomes a task over its linearised 4 x 2 iterations; the
// pointers of the memrefs it uses (an input and the workspace) go into a
// context array; the workspace view is re-created inside the task.
// CHECK-LABEL: func.func @m_run(
// CHECK-SAME: %[[IN:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x8xf32>, %[[WS:.*]]: memref<256xi8>)
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK-NOT: scf.forall
// CHECK: %[[P0:.*]] = memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK: llvm.getelementptr %[[CTX]][0]
// CHECK: %[[P1:.*]] = memref.extract_aligned_pointer_as_index %[[WS]]
// CHECK: llvm.getelementptr %[[CTX]][1]
// CHECK: %[[TASK:.*]] = constant @m_run_loop0 : (!llvm.ptr, i64, i64) -> ()
// CHECK: %[[N:.*]] = arith.constant 8 : i64
// CHECK: call @cnnrt_parallel_for(%[[TASK]], %[[CTX]], %[[N]])
// CHECK: return

// CHECK: func.func private @m_run_loop0(%[[C:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64) attributes {llvm.linkage = #llvm.linkage<internal>}
// CHECK: %[[A:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<4x8xf32>
// CHECK: %[[W:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<256xi8>
// CHECK: %[[VIEW:.*]] = memref.view %[[W]]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[J:.*]] = arith.remui %[[I]], %c2
// CHECK: %[[ROW:.*]] = arith.divui %[[I]], %c2
// CHECK: memref.subview %[[A]][%[[ROW]],
// CHECK: memref.subview %[[VIEW]][%[[ROW]],
// CHECK: linalg.map
// CHECK: func.func private @cnnrt_parallel_for((!llvm.ptr, i64, i64) -> (), !llvm.ptr, i64)
func.func @m_run(%in: memref<4x8xf32>, %out: memref<4x8xf32>, %ws: memref<256xi8>) -> i32 {
  %c0 = arith.constant 0 : index
  %tmp = memref.view %ws[%c0][] : memref<256xi8> to memref<4x8xf32>
  scf.forall (%i, %j) in (4, 2) {
    %j4 = affine.apply affine_map<(d0) -> (d0 * 4)>(%j)
    %a = memref.subview %in[%i, %j4] [1, 4] [1, 1] : memref<4x8xf32> to memref<4xf32, strided<[1], offset: ?>>
    %t = memref.subview %tmp[%i, %j4] [1, 4] [1, 1] : memref<4x8xf32> to memref<4xf32, strided<[1], offset: ?>>
    linalg.map { math.exp } ins(%a : memref<4xf32, strided<[1], offset: ?>>) outs(%t : memref<4xf32, strided<[1], offset: ?>>)
  }
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// Lower bounds and steps are applied to the linear index; a nested forall
// stays inside the task.
// CHECK-LABEL: func.func private @strided_loop0(
// CHECK: scf.for %[[I:.*]] =
// CHECK: %[[MUL:.*]] = arith.muli %[[I]], %c3
// CHECK: %[[IV:.*]] = arith.addi %[[MUL]], %c2
// CHECK: scf.forall
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[IV]]]
func.func @strided(%out: memref<16xf32>) {
  %one = arith.constant 1.0 : f32
  scf.forall (%i) = (2) to (16) step (3) {
    scf.forall (%k) in (2) {
      memref.store %one, %out[%i] : memref<16xf32>
    }
  }
  return
}

// -----

// A loop that uses a buffer the function allocates itself (not an argument)
// or has dynamic bounds stays a sequential scf.forall.
// CHECK-LABEL: func.func @stays
// CHECK: scf.forall
// CHECK: scf.forall
// CHECK-NOT: cnnrt_parallel_for
func.func @stays(%out: memref<8xf32>, %n: index) {
  %one = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<8xf32>
  scf.forall (%i) in (8) {
    memref.store %one, %buf[%i] : memref<8xf32>
  }
  scf.forall (%i) in (%n) {
    memref.store %one, %out[%i] : memref<8xf32>
  }
  memref.dealloc %buf : memref<8xf32>
  return
}

// -----

// A linalg op left in a loop (a layer computed by scalar loops: upsample's
// copies) counts its iteration space times its body's ops, loads and stores
// (here 128 x 64 x 64 x 2), not one op: the loop goes to the pool.
// CHECK-LABEL: func.func @scalar_layer
// SMALL-LABEL: func.func @scalar_layer
// SMALL: call @cnnrt_parallel_for
func.func @scalar_layer(%in: memref<128x64x64xf32>, %out: memref<128x64x64xf32>) {
  scf.forall (%i) in (128) {
    %a = memref.subview %in[%i, 0, 0] [1, 64, 64] [1, 1, 1] : memref<128x64x64xf32> to memref<64x64xf32, strided<[64, 1], offset: ?>>
    %b = memref.subview %out[%i, 0, 0] [1, 64, 64] [1, 1, 1] : memref<128x64x64xf32> to memref<64x64xf32, strided<[64, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<64x64xf32, strided<[64, 1], offset: ?>>) outs(%b : memref<64x64xf32, strided<[64, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32):
      linalg.yield %x : f32
    }
  }
  return
}
