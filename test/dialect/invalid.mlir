// RUN: %cnnc-opt %s -split-input-file -verify-diagnostics

func.func @conv_weight_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{conv2d weight shape [4, 2, 3, 3] does not match input shape [1, 3, 8, 8] with groups=1 (expected [F, 3, KH, KW], F divisible by 1)}}
  %y = "cnn.conv2d"(%x, %w) {operandSegmentSizes = array<i32: 1, 1, 0, 0>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{result shape [1, 4, 8, 8] does not match the expected shape [1, 4, 6, 6]}}
  %y = "cnn.conv2d"(%x, %w) {operandSegmentSizes = array<i32: 1, 1, 0, 0>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{conv2d bias shape [5] does not match weight shape [4, 3, 3, 3] (expected [4])}}
  %y = "cnn.conv2d"(%x, %w, %b) {operandSegmentSizes = array<i32: 1, 1, 1, 0>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides must be >= 1, got [0, 1]}}
  %y = "cnn.conv2d"(%x, %w) {operandSegmentSizes = array<i32: 1, 1, 0, 0>, strides = array<i64: 0, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be static NCHW f32 tensor}}
  %y = "cnn.conv2d"(%x, %w) {operandSegmentSizes = array<i32: 1, 1, 0, 0>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @dynamic(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{operand #0 must be static}}
  %y = "cnn.relu"(%x) : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func.func @dense(%x: tensor<2x7xf32>, %w: tensor<10x8xf32>) {
  // expected-error @+1 {{dense weight shape [10, 8] does not match input shape [2, 7] (expected [units, 7])}}
  %y = "cnn.dense"(%x, %w) : (tensor<2x7xf32>, tensor<10x8xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @batchnorm(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<3xf32>) {
  // expected-error @+1 {{batchnorm parameter shape [3] does not match input shape [1, 4, 2, 2] (expected [4])}}
  %y = "cnn.batchnorm"(%x, %p, %p, %q, %p) {epsilon = 1.0e-5 : f64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @pool(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{result shape [1, 4, 2, 2] does not match the expected shape [1, 4, 3, 3]}}
  %y = "cnn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x4x5x5xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @concat(%a: tensor<1x4x5x5xf32>, %b: tensor<1x4x6x5xf32>) {
  // expected-error @+1 {{concat inputs [1, 4, 5, 5] and [1, 4, 6, 5] differ outside axis 1}}
  %y = "cnn.concat"(%a, %b) {axis = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<1x4x6x5xf32>) -> tensor<1x8x5x5xf32>
  return
}

// -----

func.func @broadcast(%a: tensor<1x4x5x5xf32>, %b: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{operand shapes [1, 4, 5, 5] and [1, 3, 5, 5] do not broadcast}}
  %y = "cnn.add"(%a, %b) : (tensor<1x4x5x5xf32>, tensor<1x3x5x5xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @softmax(%a: tensor<1x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = "cnn.softmax"(%a) {axis = 2 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @weight_type() {
  // expected-error @+1 {{weight 'w' must hold f32 values}}
  %w = "cnn.weight"() {name = "w", value = dense<1.0> : tensor<4xf64>} : () -> tensor<4xf32>
  return
}

// -----

func.func @upsample(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{scale must be >= 1, got [0, 2]}}
  %y = "cnn.upsample"(%x) {scale = array<i64: 0, 2>} : (tensor<1x4x5x5xf32>) -> tensor<1x4x0x10xf32>
  return
}

// -----

func.func @slice_range(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{slice [3, 5) is out of range for dimension 1 of shape [1, 4, 5, 5]}}
  %y = "cnn.slice"(%x) {axis = 1 : i64, offset = 3 : i64, size = 2 : i64} : (tensor<1x4x5x5xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{axis 4 is out of range for rank 4}}
  %y = "cnn.slice"(%x) {axis = 4 : i64, offset = 0 : i64, size = 2 : i64} : (tensor<1x4x5x5xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @slice_result(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{result shape [1, 3, 5, 5] does not match the expected shape [1, 2, 5, 5]}}
  %y = "cnn.slice"(%x) {axis = 1 : i64, offset = 0 : i64, size = 2 : i64} : (tensor<1x4x5x5xf32>) -> tensor<1x3x5x5xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{cannot reshape [1, 4, 3, 3] (36 elements) to [4, 8]}}
  %y = "cnn.reshape"(%x) : (tensor<1x4x3x3xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @pad_rank(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{pad needs 4 low and high values (one per dimension of [1, 4, 3, 3]), got 2 and 2}}
  %y = "cnn.pad"(%x) {low = array<i64: 1, 1>, high = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{pad amounts must be >= 0, got low [0, 0, -1, 0] and high [0, 0, 0, 0]}}
  %y = "cnn.pad"(%x) {low = array<i64: 0, 0, -1, 0>, high = array<i64: 0, 0, 0, 0>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x2x3xf32>
  return
}

// -----

func.func @pad_reflect(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{reflect padding (low [0, 0, 3, 0], high [0, 0, 0, 0]) must be smaller than each dimension of [1, 4, 3, 3]}}
  %y = "cnn.pad"(%x) {low = array<i64: 0, 0, 3, 0>, high = array<i64: 0, 0, 0, 0>, mode = #cnn<pad_mode reflect>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x3xf32>
  return
}

// -----

func.func @pad_result(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{result shape [1, 4, 5, 5] does not match the expected shape [1, 4, 4, 4]}}
  %y = "cnn.pad"(%x) {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 0, 0>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @clip_bounds(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{min 2.000000e+00 is above max 1.000000e+00}}
  %y = "cnn.clip"(%x) {min = 2.0 : f64, max = 1.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @sub_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{operand shapes [2, 3] and [3, 3] do not broadcast}}
  %y = "cnn.sub"(%a, %b) : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @conv_no_filters(%x: tensor<1x3x8x8xf32>, %w: tensor<0x3x3x3xf32>) {
  // expected-error @+1 {{conv2d weight shape [0, 3, 3, 3] has a dimension below 1}}
  %y = "cnn.conv2d"(%x, %w) {operandSegmentSizes = array<i32: 1, 1, 0, 0>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<0x3x3x3xf32>) -> tensor<1x0x6x6xf32>
  return
}

// -----

func.func @result_too_large(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cnn.upsample' op result shape [1, 1, 65536, 65536] has more than 2^31 elements}}
  %y = "cnn.upsample"(%x) {scale = array<i64: 32768, 32768>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x65536x65536xf32>
  return
}

// -----

func.func @conv_padding_too_large(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d padding [1099511627776, 0, 1099511627776, 0] is too large}}
  %y = "cnn.conv2d"(%x, %w) {operandSegmentSizes = array<i32: 1, 1, 0, 0>, strides = array<i64: 1, 1>, padding = array<i64: 1099511627776, 0, 1099511627776, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{perm [0, 2, 2, 1] is not a permutation of the axes of shape [1, 4, 5, 5]}}
  %y = "cnn.transpose"(%x) {perm = array<i64: 0, 2, 2, 1>} : (tensor<1x4x5x5xf32>) -> tensor<1x5x5x4xf32>
  return
}

// -----

func.func @transpose_result(%x: tensor<1x4x5x6xf32>) {
  // expected-error @+1 {{result shape [1, 5, 5, 4] does not match the expected shape [1, 5, 6, 4]}}
  %y = "cnn.transpose"(%x) {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x5x6xf32>) -> tensor<1x5x5x4xf32>
  return
}

// -----

func.func @unary_extra_parameter(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'elu' has 1 parameter(s); p1 must be absent}}
  %y = cnn.unary elu %x {p0 = 1.0 : f64, p1 = 2.0 : f64} : tensor<1x4xf32>
  return
}

// -----

func.func @celu_alpha(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{celu's alpha must not be 0}}
  %y = cnn.unary celu %x : tensor<1x4xf32>
  return
}

// -----

func.func @max_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{operand shapes [2, 3] and [3, 3] do not broadcast}}
  %y = "cnn.max"(%a, %b) : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @reduce_axes_order(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{reduced axes [2, 1] are not increasing}}
  %y = cnn.reduce sum %x {axes = array<i64: 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  return
}

// -----

func.func @reduce_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape [2, 3] does not match the expected shape [2, 1, 4]}}
  %y = cnn.reduce max %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  return
}
