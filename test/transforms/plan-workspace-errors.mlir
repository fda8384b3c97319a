// RUN: %cnnc-opt %s --cnnc-plan-workspace --split-input-file --verify-diagnostics

// A buffer allocated inside a parallel loop belongs to one iteration; one
// workspace slot would be shared by all of them (a data race), so it is
// refused rather than planned.
func.func @in_forall(%out: memref<4x16xf32>) {
  scf.forall (%i) in (4) {
    // expected-error @+1 {{cannot plan a buffer inside a parallel loop (its iterations would share it)}}
    %tmp = memref.alloc() : memref<16xf32>
    %row = memref.subview %out[%i, 0] [1, 16] [1, 1] : memref<4x16xf32> to memref<16xf32, strided<[1], offset: ?>>
    linalg.copy ins(%tmp : memref<16xf32>) outs(%row : memref<16xf32, strided<[1], offset: ?>>)
  }
  return
}
