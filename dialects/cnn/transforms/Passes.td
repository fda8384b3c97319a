//===- Passes.td - optimisations on the cnn dialect --------*- tablegen -*-===//

#ifndef CNN_TRANSFORMS_PASSES_TD
#define CNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CnnFoldBatchNorm : Pass<"cnn-fold-batchnorm"> {
  let summary = "Fold inference batch-norm into the preceding conv2d or dense";
  let description = [{
    A `cnn.batchnorm` whose input is a `cnn.conv2d` or `cnn.dense` used only
    by it, with all parameters constant, disappears: with
    `s = gamma / sqrt(var + eps)` the layer's weight rows are scaled by `s`
    and its bias becomes `(bias - mean) * s + beta` (computed in double
    precision at compile time).

    Before:
    ```mlir
    %c = cnn.conv2d %x, %w {...} : (...) -> tensor<1x8x16x16xf32>
    %y = cnn.batchnorm %c, %gamma, %beta, %mean, %var {epsilon = 1.0e-05 : f64} : ...
    ```
    After:
    ```mlir
    %w2 = cnn.weight "conv1.weight.folded" dense_resource<...> : tensor<8x3x3x3xf32>
    %b2 = cnn.weight "conv1.bias.folded" dense_resource<...> : tensor<8xf32>
    %y = cnn.conv2d %x, %w2, %b2 {...} : (...) -> tensor<1x8x16x16xf32>
    ```
  }];
}

#endif // CNN_TRANSFORMS_PASSES_TD
