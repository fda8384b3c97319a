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

def CnnDropPaddingTaps : Pass<"cnn-drop-padding-taps"> {
  let summary = "Drop the kernel rows and columns of a conv that only read "
                "padding";
  let description = [{
    A kernel row (column) whose taps fall in the zero padding for every
    output position adds nothing: where such rows are at the kernel's
    edges, the weight is cropped to the live ones and the padding reduced
    so that the output size is unchanged. DeepLabV3's atrous convolutions
    (dilation 24 and 36 on a 14 x 14 map) become 1 x 1 convs. Left alone
    where the reduced padding would be negative.

    Before (dilation 24 on 14 x 14, padding 24):
    ```mlir
    %y = cnn.conv2d %x, %w {dilations = array<i64: 24, 24>,
           padding = array<i64: 24, 24, 24, 24>, ...}
           : (tensor<1x960x14x14xf32>, tensor<256x960x3x3xf32>) -> ...
    ```
    After:
    ```mlir
    %w2 = cnn.weight "w.live" dense_resource<...> : tensor<256x960x1x1xf32>
    %y = cnn.conv2d %x, %w2 {dilations = array<i64: 1, 1>,
           padding = array<i64: 0, 0, 0, 0>, ...} : ...
    ```
  }];
}

def CnnFuse : Pass<"cnn-fuse"> {
  let summary = "Fuse activations and residual adds into conv2d and dense";
  let description = [{
    - An activation (`relu`, `relu6`, `leaky_relu`, `sigmoid`, `tanh`,
      `silu`, `mish`) of a `cnn.conv2d` or `cnn.dense` used only by it becomes the
      layer's `activation` attribute.
    - An `add` of a conv2d (used only by the add, with no epilogue yet) and
      another tensor of the same shape becomes the conv's `residual`
      operand; an activation after the add then fuses too, giving
      `act(conv(x) + bias + residual)` in one op.

    Before:
    ```mlir
    %c = cnn.conv2d %x, %w bias %b {...} : (...) -> tensor<1x64x56x56xf32>
    %s = cnn.add %c, %skip : (...) -> tensor<1x64x56x56xf32>
    %y = cnn.relu %s : tensor<1x64x56x56xf32>
    ```
    After:
    ```mlir
    %y = cnn.conv2d %x, %w bias %b residual %skip
           {activation = #cnn<activation relu>, ...} : (...) -> tensor<1x64x56x56xf32>
    ```
  }];
}

#endif // CNN_TRANSFORMS_PASSES_TD
