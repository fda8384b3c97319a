// RUN: %cnnc-opt %s --cnnc-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @strided
// CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32>) outs(%{{.*}} : memref<2x2xf32, strided<[4, 1], offset: 5>>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<2x2xf32>, %b: memref<4x4xf32>) {
  %s = memref.subview %b[1, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  memref.copy %a, %s : memref<2x2xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  return
}
