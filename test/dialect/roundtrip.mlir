// RUN: %cnnc-opt %s | %cnnc-opt | FileCheck %s
// RUN: %cnnc-opt %s --mlir-print-op-generic | %cnnc-opt | FileCheck %s

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<1x3x8x8xf32>) -> tensor<1x10xf32> {
  // CHECK: cnn.weight "c.weight" dense<1.000000e+00> : tensor<4x3x3x3xf32>
  %w = cnn.weight "c.weight" dense<1.0> : tensor<4x3x3x3xf32>
  %b = cnn.weight "c.bias" dense<0.5> : tensor<4xf32>
  // CHECK: cnn.conv2d %{{.*}}, %{{.*}} bias %{{.*}} {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %c = cnn.conv2d %x, %w bias %b {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: cnn.conv2d %{{.*}}, %{{.*}} {{{.*}}groups = 4
  %dw = cnn.weight "dw.weight" dense<1.0> : tensor<4x1x3x3xf32>
  %d = cnn.conv2d %c, %dw {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %g = cnn.weight "bn.weight" dense<1.0> : tensor<4xf32>
  // CHECK: cnn.batchnorm {{.*}} {epsilon = 1.000000e-05 : f64}
  %n = cnn.batchnorm %d, %g, %b, %b, %g {epsilon = 1.0e-5 : f64} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: cnn.relu
  %r = cnn.relu %n : tensor<1x4x4x4xf32>
  // CHECK: cnn.relu6
  %r6 = cnn.relu6 %r : tensor<1x4x4x4xf32>
  // CHECK: cnn.leaky_relu {{.*}} {alpha = 1.000000e-01 : f64}
  %l = cnn.leaky_relu %r6 {alpha = 0.1 : f64} : tensor<1x4x4x4xf32>
  // CHECK: cnn.sigmoid
  %s = cnn.sigmoid %l : tensor<1x4x4x4xf32>
  // CHECK: cnn.tanh
  %t = cnn.tanh %s : tensor<1x4x4x4xf32>
  // CHECK: cnn.silu
  %si0 = cnn.silu %t : tensor<1x4x4x4xf32>
  // CHECK: cnn.mish
  %mi = cnn.mish %si0 : tensor<1x4x4x4xf32>
  // CHECK: cnn.slice {{.*}} {axis = 1 : i64, offset = 2 : i64, size = 2 : i64} : (tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xf32>
  %sl = cnn.slice %mi {axis = 1 : i64, offset = 2 : i64, size = 2 : i64} : (tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xf32>
  %si = cnn.concat %sl, %sl {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: cnn.global_avgpool
  %gp = cnn.global_avgpool %si : (tensor<1x4x4x4xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: cnn.mul {{.*}} : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %m = cnn.mul %si, %gp : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: cnn.add
  %a = cnn.add %m, %si : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: cnn.maxpool2d {{.*}}ceil_mode = true
  %mp = cnn.maxpool2d %a {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: cnn.avgpool2d {{.*}}count_include_pad = false
  %ap = cnn.avgpool2d %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: cnn.concat {{.*}} {axis = 1 : i64}
  %cat = cnn.concat %mp, %ap {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: cnn.upsample {{.*}} {scale = array<i64: 2, 2>}
  %up = cnn.upsample %cat {scale = array<i64: 2, 2>} : (tensor<1x8x2x2xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cnn.flatten
  %f = cnn.flatten %up : (tensor<1x8x4x4xf32>) -> tensor<1x128xf32>
  %fw = cnn.weight "fc.weight" dense<0.1> : tensor<10x128xf32>
  // CHECK: cnn.dense
  %y = cnn.dense %f, %fw : (tensor<1x128xf32>, tensor<10x128xf32>) -> tensor<1x10xf32>
  // CHECK: cnn.softmax {{.*}} {axis = 1 : i64}
  %p = cnn.softmax %y {axis = 1 : i64} : tensor<1x10xf32>
  return %p : tensor<1x10xf32>
}

// The ops ONNX models need beyond the layers above.
// CHECK-LABEL: func.func @onnx_ops
func.func @onnx_ops(%x: tensor<1x4x3x3xf32>, %g: tensor<1x4x1x1xf32>) -> (tensor<4x9xf32>, tensor<1x4x6x7xf32>, tensor<1x4x5x5xf32>) {
  // CHECK: cnn.hardsigmoid %{{.*}} {alpha = 2.000000e-01 : f64, beta = 5.000000e-01 : f64} : tensor<1x4x3x3xf32>
  %hs = cnn.hardsigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<1x4x3x3xf32>
  // CHECK: cnn.hardswish %{{.*}} : tensor<1x4x3x3xf32>
  %hw = cnn.hardswish %hs : tensor<1x4x3x3xf32>
  // CHECK: cnn.clip %{{.*}} {max = 2.500000e+00 : f64, min = -1.000000e+00 : f64}
  %c = cnn.clip %hw {min = -1.0 : f64, max = 2.5 : f64} : tensor<1x4x3x3xf32>
  // CHECK: cnn.clip %{{.*}} {min = 0.000000e+00 : f64} : tensor<1x4x3x3xf32>
  %c2 = cnn.clip %c {min = 0.0 : f64} : tensor<1x4x3x3xf32>
  // CHECK: cnn.sub {{.*}} : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %s = cnn.sub %c2, %g : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  // CHECK: cnn.div {{.*}} : (tensor<1x4x1x1xf32>, tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %d = cnn.div %g, %s : (tensor<1x4x1x1xf32>, tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  // CHECK: cnn.reshape %{{.*}} : (tensor<1x4x3x3xf32>) -> tensor<4x9xf32>
  %r = cnn.reshape %d : (tensor<1x4x3x3xf32>) -> tensor<4x9xf32>
  // The default mode (constant) and value (0) are not printed.
  // CHECK: cnn.pad %{{.*}} {high = array<i64: 0, 0, 2, 2>, low = array<i64: 0, 0, 1, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x7xf32>
  %p = cnn.pad %d {low = array<i64: 0, 0, 1, 2>, high = array<i64: 0, 0, 2, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x7xf32>
  // CHECK: cnn.pad %{{.*}} {high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 1, 1>, mode = #cnn<pad_mode reflect>, value = 1.500000e+00 : f64}
  %q = cnn.pad %d {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>, mode = #cnn<pad_mode reflect>, value = 1.5 : f64} : (tensor<1x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %r, %p, %q : tensor<4x9xf32>, tensor<1x4x6x7xf32>, tensor<1x4x5x5xf32>
}

// Elementwise functions (cnn.unary: parameters p0, p1 only where set) and
// the binary ops beyond arithmetic.
// CHECK-LABEL: func.func @math
func.func @math(%x: tensor<2x5xf32>, %y: tensor<1x5xf32>) -> tensor<2x5xf32> {
  // CHECK: cnn.unary erf %{{.*}} : tensor<2x5xf32>
  %e = cnn.unary erf %x : tensor<2x5xf32>
  // CHECK: cnn.unary selu %{{.*}} {p0 = 1.500000e+00 : f64, p1 = 2.000000e+00 : f64} : tensor<2x5xf32>
  %s = cnn.unary selu %e {p0 = 1.5 : f64, p1 = 2.0 : f64} : tensor<2x5xf32>
  // CHECK: cnn.pow %{{.*}}, %{{.*}} : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %p = cnn.pow %s, %y : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  // CHECK: cnn.max
  %m = cnn.max %p, %y : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  // CHECK: cnn.min
  %n = cnn.min %y, %m : (tensor<1x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return %n : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x1xf32>, tensor<2x3x4xf32>) {
  // CHECK: cnn.reduce mean %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %m = cnn.reduce mean %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cnn.reduce log_sum_exp %{{.*}} {axes = array<i64: 0, 1, 2>}
  %l = cnn.reduce log_sum_exp %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  // CHECK: cnn.softmax %{{.*}} {axis = 2 : i64, log = true} : tensor<2x3x4xf32>
  %s = cnn.softmax %x {axis = 2 : i64, log = true} : tensor<2x3x4xf32>
  return %m, %l, %s : tensor<2x1x4xf32>, tensor<1x1x1xf32>, tensor<2x3x4xf32>
}
