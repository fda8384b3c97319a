// RUN: %cnnc-opt %s --cnnc-plan-workspace --split-input-file | FileCheck %s

// %a dies after %b is written, so %c reuses %a's bytes; %b lives across and
// gets its own. Largest first: %a and %b are 4 KiB, %c 1 KiB.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: (%{{.*}}: memref<1024xf32>, %[[OUT:.*]]: memref<1024xf32>, %[[WS:.*]]: memref<8192xi8>)
// CHECK-SAME: attributes {cnn.workspace_bytes = 8192 : i64}
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]]{{.*}} to memref<1024xf32>
// CHECK: arith.constant 4096 : index
// CHECK-NEXT: memref.view %[[WS]]{{.*}} to memref<1024xf32>
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]]{{.*}} to memref<256xf32>
// CHECK-NOT: memref.alloc
func.func @reuse(%in: memref<1024xf32>, %out: memref<1024xf32>) {
  %a = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%in : memref<1024xf32>) outs(%a : memref<1024xf32>)
  %b = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%a : memref<1024xf32>) outs(%b : memref<1024xf32>)
  %c = memref.alloc() : memref<256xf32>
  %bs = memref.subview %b[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
  linalg.copy ins(%bs : memref<256xf32, strided<[1]>>) outs(%c : memref<256xf32>)
  %os = memref.subview %out[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
  linalg.copy ins(%c : memref<256xf32>) outs(%os : memref<256xf32, strided<[1]>>)
  return
}

// -----

// A use through a view keeps the buffer alive: %a is read (via its expanded
// view) after %b is written, so they cannot overlap.
// CHECK-LABEL: func.func @view_keeps_alive
// CHECK-SAME: memref<128xi8>
// CHECK: arith.constant 0 : index
// CHECK: arith.constant 64 : index
func.func @view_keeps_alive(%in: memref<4xf32>, %out: memref<2x2xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%in : memref<4xf32>) outs(%a : memref<4xf32>)
  %av = memref.expand_shape %a [[0, 1]] output_shape [2, 2] : memref<4xf32> into memref<2x2xf32>
  %b = memref.alloc() : memref<4xf32>
  linalg.copy ins(%in : memref<4xf32>) outs(%b : memref<4xf32>)
  %bv = memref.expand_shape %b [[0, 1]] output_shape [2, 2] : memref<4xf32> into memref<2x2xf32>
  linalg.add ins(%av, %bv : memref<2x2xf32>, memref<2x2xf32>) outs(%out : memref<2x2xf32>)
  return
}

// -----

// No intermediates: an empty workspace, still passed for a uniform ABI.
// CHECK-LABEL: func.func @none
// CHECK-SAME: memref<0xi8>
// CHECK-SAME: cnn.workspace_bytes = 0
func.func @none(%in: memref<4xf32>, %out: memref<4xf32>) {
  linalg.copy ins(%in : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// -----

// A buffer inside a parallel loop is private to each iteration: 2 x 3
// iterations of 64 bytes (a 40-byte buffer, aligned) after %a's 4 KiB, each
// iteration's view at 4096 + (3 i + j) x 64. The loop's slots are live while
// it runs only: %c after it reuses them.
// CHECK-LABEL: func.func @per_iteration
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<4480xi8>
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) in (2, 3)
// CHECK:   %[[C3:.*]] = arith.constant 3 : index
// CHECK:   %[[I3:.*]] = arith.muli %{{.*}}, %[[C3]]
// CHECK:   %[[LIN:.*]] = arith.addi %[[I3]], %[[J]]
// CHECK:   %[[C64:.*]] = arith.constant 64 : index
// CHECK:   %[[SCALED:.*]] = arith.muli %[[LIN]], %[[C64]]
// CHECK:   %[[C4096:.*]] = arith.constant 4096 : index
// CHECK:   %[[OFF:.*]] = arith.addi %[[SCALED]], %[[C4096]]
// CHECK:   memref.view %[[WS]][%[[OFF]]][] : memref<4480xi8> to memref<10xf32>
// CHECK: arith.constant 4096 : index
// CHECK-NEXT: memref.view %[[WS]]{{.*}} to memref<96xf32>
func.func @per_iteration(%in: memref<1024xf32>, %out: memref<2x3x10xf32>, %out2: memref<96xf32>) {
  %a = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%in : memref<1024xf32>) outs(%a : memref<1024xf32>)
  scf.forall (%i, %j) in (2, 3) {
    %tmp = memref.alloc() : memref<10xf32>
    %src = memref.subview %a[0] [10] [1] : memref<1024xf32> to memref<10xf32, strided<[1]>>
    linalg.copy ins(%src : memref<10xf32, strided<[1]>>) outs(%tmp : memref<10xf32>)
    %dst = memref.subview %out[%i, %j, 0] [1, 1, 10] [1, 1, 1] : memref<2x3x10xf32> to memref<10xf32, strided<[1], offset: ?>>
    linalg.copy ins(%tmp : memref<10xf32>) outs(%dst : memref<10xf32, strided<[1], offset: ?>>)
  }
  %c = memref.alloc() : memref<96xf32>
  %as = memref.subview %a[0] [96] [1] : memref<1024xf32> to memref<96xf32, strided<[1]>>
  linalg.copy ins(%as : memref<96xf32, strided<[1]>>) outs(%c : memref<96xf32>)
  linalg.copy ins(%c : memref<96xf32>) outs(%out2 : memref<96xf32>)
  return
}
