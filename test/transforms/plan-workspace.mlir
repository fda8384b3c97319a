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
