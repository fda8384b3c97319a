// RUN: %cnnc-opt %s --cnnc-entry-abi | FileCheck %s

// CHECK: llvm.mlir.global external constant @lenet_workspace_bytes(4096 : i64)
// CHECK-LABEL: func.func @lenet_run
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<4096xi8>) -> i32
// CHECK-NOT: cnn.
// CHECK: %[[OK:.*]] = arith.constant 0 : i32
// CHECK: return %[[OK]] : i32
func.func @lenet(%in: memref<4xf32> {cnn.name = "image"}, %out: memref<4xf32> {cnn.name = "logits"}, %ws: memref<4096xi8>) attributes {cnn.workspace_bytes = 4096 : i64} {
  linalg.copy ins(%in : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// Functions without a planned workspace are not model entries.
// CHECK-LABEL: func.func @helper()
// CHECK-NEXT: return
func.func @helper() {
  return
}
