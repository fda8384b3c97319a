// RUN: %cnnc-opt %s --cnnc-plan-workspace --split-input-file --verify-diagnostics

// A buffer allocated inside a parallel loop gets a slot per iteration; that
// needs the iteration count, so a loop with dynamic bounds is refused
// (one slot would be shared by all iterations: a data race).
func.func @dynamic_forall(%out: memref<?x16xf32>, %n: index) {
  scf.forall (%i) in (%n) {
    // expected-error @+1 {{cannot plan a buffer inside a nested or dynamic parallel loop}}
    %tmp = memref.alloc() : memref<16xf32>
    %row = memref.subview %out[%i, 0] [1, 16] [1, 1] : memref<?x16xf32> to memref<16xf32, strided<[1], offset: ?>>
    linalg.copy ins(%tmp : memref<16xf32>) outs(%row : memref<16xf32, strided<[1], offset: ?>>)
  }
  return
}

// -----

// So is one inside a nested parallel loop (only top-level loops are planned).
func.func @nested_forall(%out: memref<4x4x16xf32>) {
  scf.forall (%i) in (4) {
    scf.forall (%j) in (4) {
      // expected-error @+1 {{cannot plan a buffer inside a nested or dynamic parallel loop}}
      %tmp = memref.alloc() : memref<16xf32>
      %row = memref.subview %out[%i, %j, 0] [1, 1, 16] [1, 1, 1] : memref<4x4x16xf32> to memref<16xf32, strided<[1], offset: ?>>
      linalg.copy ins(%tmp : memref<16xf32>) outs(%row : memref<16xf32, strided<[1], offset: ?>>)
    }
  }
  return
}
