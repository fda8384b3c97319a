// RUN: %cnnc-opt %s --cnnc-select-conv-schedule="tile-sizes=t:4x16" --cnnc-vectorize-conv=report 2>&1 | FileCheck %s
// RUN: %cnnc-opt %s --cnnc-select-conv-schedule="tile-sizes=t:4x32" --cnnc-vectorize-conv 2>&1 | FileCheck %s --check-prefix=WHOLE

// A register tile narrower than the layer (16 of 32 output channels) reads
// its weights from a copy repacked as [F/16, KH, KW, C, 16], stored flat like
// the HWCF constant: block f/16 is one contiguous slice.
// CHECK: remark: vectorized: tile 4 px x 16 ch {{.*}}, weights in blocks of 16 ch
// CHECK: %[[FLAT:.*]] = arith.constant dense_resource<t.weight.hwcf.f16> : tensor<64xf32>
// CHECK: %[[BLOCKS:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2, 3, 4]] output_shape [2, 1, 1, 2, 16] : tensor<64xf32> into tensor<2x1x1x2x16xf32>
// CHECK: scf.forall (%[[B:.*]]) in (2) shared_outs
// CHECK: tensor.extract_slice %[[BLOCKS]][%[[B]], 0, 0, 0, 0] [1, 1, 1, 2, 16] [1, 1, 1, 1, 1] : tensor<2x1x1x2x16xf32> to tensor<1x1x2x16xf32>
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// HWCF value c*32+f; in blocks: (f/16, c, f%16), so 0..15, 32..47, 16..31, 48..63.
// CHECK: t.weight.hwcf.f16: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E040000000410000104100002041000030410000404100005041000060410000704100000042000004420000084200000C4200001042000014420000184200001C4200002042000024420000284200002C4200003042000034420000384200003C42000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F84100004042000044420000484200004C4200005042000054420000584200005C4200006042000064420000684200006C4200007042000074420000784200007C42"

// A tile as wide as the layer reads the HWCF weights as they are.
// WHOLE-NOT: .f32
// WHOLE: vector.contract {{.*}} into vector<4x32xf32>
// WHOLE-NOT: .f32
func.func @pointwise(%in: tensor<1x1x4x2xf32>) -> tensor<1x1x4x32xf32> {
  %flat = arith.constant dense_resource<t.weight.hwcf> : tensor<64xf32>
  %w = tensor.expand_shape %flat [[0, 1, 2, 3]] output_shape [1, 1, 2, 32] : tensor<64xf32> into tensor<1x1x2x32xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x4x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x4x32xf32>) -> tensor<1x1x4x32xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x1x4x2xf32>, tensor<1x1x2x32xf32>) outs(%init : tensor<1x1x4x32xf32>) -> tensor<1x1x4x32xf32>
  return %c : tensor<1x1x4x32xf32>
}

{-#
  dialect_resources: {
    builtin: {
      t.weight.hwcf: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F84100000042000004420000084200000C4200001042000014420000184200001C4200002042000024420000284200002C4200003042000034420000384200003C4200004042000044420000484200004C4200005042000054420000584200005C4200006042000064420000684200006C4200007042000074420000784200007C42"
    }
  }
#-}
