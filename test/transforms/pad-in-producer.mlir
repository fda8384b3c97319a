// RUN: %cnnc-opt %s --cnnc-pad-in-producer --split-input-file | FileCheck %s
// After bufferization the producer writes inside the padded buffer and no
// copy is left:
// RUN: %cnnc-opt %s --split-input-file --cnnc-pad-in-producer --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize | FileCheck %s --check-prefix=BUF

// A forall whose destination is a bias broadcast into an empty tensor: the
// broadcast now writes into the interior of the padded tensor, whose border
// (and only its border) is filled with the padding value.
// CHECK-LABEL: func.func @forall_chain
// CHECK: %[[BIG:.*]] = tensor.empty() : tensor<1x6x6x4xf32>
// CHECK: %[[PV:.*]] = arith.constant 2.500000e+00 : f32
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[BIG]][0, 0, 0, 0] [1, 1, 6, 4] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[PV]] : f32) outs(%[[TOP]] : tensor<1x1x6x4xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 5, 0, 0] [1, 1, 6, 4]
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 0, 0] [1, 4, 1, 4]
// CHECK: %[[RIGHT:.*]] = tensor.extract_slice %{{.*}}[0, 1, 5, 0] [1, 4, 1, 4]
// CHECK: %[[FR:.*]] = linalg.fill ins(%[[PV]] : f32) outs(%[[RIGHT]] : tensor<1x4x1x4xf32>)
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %[[FR]] into
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[PADDED]][0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// CHECK: %[[B:.*]] = linalg.broadcast ins(%{{.*}} : tensor<4xf32>) outs(%[[SLOT]] : tensor<1x4x4x4xf32>)
// CHECK: %[[R:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[B]])
// CHECK-NOT: tensor.pad
// CHECK: %[[P:.*]] = tensor.insert_slice %[[R]] into %[[PADDED]][0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// CHECK: return %[[P]]
// BUF-LABEL: func.func @forall_chain
// BUF-NOT: memref.copy
// BUF: return
func.func @forall_chain(%bias: tensor<4xf32>) -> tensor<1x6x6x4xf32> {
  %pv = arith.constant 2.5 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %b = linalg.broadcast ins(%bias : tensor<4xf32>) outs(%e : tensor<1x4x4x4xf32>) dimensions = [0, 1, 2]
  %r = scf.forall (%i) in (4) shared_outs(%o = %b) -> (tensor<1x4x4x4xf32>) {
    %s = tensor.extract_slice %o[0, %i, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x4xf32> to tensor<1x1x4x4xf32>
    %n = linalg.map { math.exp } ins(%s : tensor<1x1x4x4xf32>) outs(%s : tensor<1x1x4x4xf32>)
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %n into %o[0, %i, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x1x4x4xf32> into tensor<1x4x4x4xf32>
    }
  }
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %c: index, %d: index, %f: index):
    tensor.yield %pv : f32
  } : tensor<1x4x4x4xf32> to tensor<1x6x6x4xf32>
  return %p : tensor<1x6x6x4xf32>
}

// -----

// A linalg op straight from an empty tensor (the layout change at a model
// input); asymmetric padding fills only the sides that have it.
// CHECK-LABEL: func.func @transpose
// CHECK: %[[BIG:.*]] = tensor.empty() : tensor<1x4x3x2xf32>
// CHECK: tensor.extract_slice %[[BIG]][0, 2, 0, 0] [1, 2, 3, 2]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 2, 0] [1, 2, 1, 2]
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 2, 2, 2]
// CHECK: linalg.transpose ins(%{{.*}}) outs(%[[SLOT]] : tensor<1x2x2x2xf32>)
// CHECK-NOT: tensor.pad
// BUF-LABEL: func.func @transpose
// BUF-NOT: memref.copy
// BUF: return
func.func @transpose(%x: tensor<1x2x2x2xf32>) -> tensor<1x4x3x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %t = linalg.transpose ins(%x : tensor<1x2x2x2xf32>) outs(%e : tensor<1x2x2x2xf32>) permutation = [0, 2, 3, 1]
  %p = tensor.pad %t low[0, 0, 0, 0] high[0, 2, 1, 0] {
  ^bb0(%a: index, %c: index, %d: index, %f: index):
    tensor.yield %zero : f32
  } : tensor<1x2x2x2xf32> to tensor<1x4x3x2xf32>
  return %p : tensor<1x4x3x2xf32>
}

// -----

// Left alone: a function argument has no producer to redirect, and a second
// pad of the same tensor finds the chain already writing elsewhere.
// CHECK-LABEL: func.func @argument
// CHECK: tensor.pad
func.func @argument(%x: tensor<2x2xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  return %p : tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @twice
// CHECK: linalg.transpose
// CHECK-COUNT-1: tensor.pad
// CHECK-NOT: tensor.pad
func.func @twice(%x: tensor<2x2xf32>) -> (tensor<4x4xf32>, tensor<3x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%x : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  %p = tensor.pad %t low[1, 1] high[1, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  %q = tensor.pad %t low[0, 0] high[1, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<3x3xf32>
  return %p, %q : tensor<4x4xf32>, tensor<3x3xf32>
}

// -----

// A later reader of the producer's result (a residual add) reads it from the
// padded tensor, so bufferization needs no copy out and back.
// CHECK-LABEL: func.func @later_reader
// CHECK: %[[R:.*]] = linalg.transpose
// CHECK: %[[P:.*]] = tensor.insert_slice %[[R]] into %{{.*}}[1, 1] [2, 2] [1, 1]
// CHECK: %[[V:.*]] = tensor.extract_slice %[[P]][1, 1] [2, 2] [1, 1]
// CHECK: linalg.map {{.*}} ins(%[[V]], %[[V]]
// BUF-LABEL: func.func @later_reader
// BUF-NOT: memref.copy
// BUF: return
func.func @later_reader(%x: tensor<2x2xf32>) -> (tensor<4x4xf32>, tensor<2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%x : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  %p = tensor.pad %t low[1, 1] high[1, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  %e2 = tensor.empty() : tensor<2x2xf32>
  %sum = linalg.map { arith.addf } ins(%t, %t : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e2 : tensor<2x2xf32>)
  return %p, %sum : tensor<4x4xf32>, tensor<2x2xf32>
}

// -----

// Left alone: a tensor a vector.gather reads (a vectorised resize's taps,
// indices into the tensor taken as contiguous) keeps a buffer of its own;
// the interior of the padded one is not contiguous.
// CHECK-LABEL: func.func @gathered
// CHECK: linalg.transpose
// CHECK: vector.gather
// CHECK: tensor.pad
func.func @gathered(%x: tensor<2x2xf32>, %i: vector<4xindex>) -> (tensor<4x4xf32>, vector<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %mask = arith.constant dense<true> : vector<4xi1>
  %pass = arith.constant dense<0.0> : vector<4xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%x : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  %g = vector.gather %t[%c0, %c0] [%i], %mask, %pass : tensor<2x2xf32>, vector<4xindex>, vector<4xi1>, vector<4xf32> into vector<4xf32>
  %p = tensor.pad %t low[1, 1] high[1, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  return %p, %g : tensor<4x4xf32>, vector<4xf32>
}
