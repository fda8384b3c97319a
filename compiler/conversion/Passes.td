//===- Passes.td - cnnc conversion passes ------------------*- tablegen -*-===//

#ifndef CNNC_CONVERSION_PASSES_TD
#define CNNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertCnnToLinalg : Pass<"convert-cnn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower cnn layers to linalg on tensors";
  let description = [{
    Each layer becomes named linalg ops where they exist, generics otherwise,
    on tensors (NCHW, as in the cnn dialect); weights become `arith.constant`.

    With `nhwc` this is also the layout pass: convs and pooling compute in
    NHWC between transposes, layout-agnostic ops (activations, arithmetic,
    concat, slice, upsample) follow an NHWC producer, and canonicalisation
    cancels the transposes in between, leaving layout changes at the model's
    edges and around the few NCHW-only ops (flatten, reshape, softmax, pad).
    Ops are rewritten top down so each sees what its producers became.

    Before:
    ```mlir
    %y = cnn.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>, ...}
    %r = cnn.relu %y : tensor<1x8x16x16xf32>
    ```
    After:
    ```mlir
    %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] { ... }
    %init = linalg.broadcast ins(%b : tensor<8xf32>) outs(...) dimensions = [0, 2, 3]
    %y = linalg.conv_2d_nchw_fchw ins(%p, %w : ...) outs(%init : ...)
    %r = linalg.generic ... { arith.maximumf }
    ```
  }];
  let options = [
    Option<"nhwc", "nhwc", "bool", /*default=*/"false",
           "Compute convolutions (grouped: a conv per group) and pooling in "
           "NHWC with HWCF/HWC weights (transposes at their edges; "
           "layout-agnostic ops follow), and dense layers on [N/B, K, B] "
           "output-channel-blocked weights: the layouts cnnc-vectorize-conv "
           "wants">,
    Option<"minGroupWidth", "min-group-width", "int64_t", /*default=*/"8",
           "With nhwc: grouped convolutions whose groups have fewer output "
           "channels are computed with several groups merged into one "
           "(block-diagonal weights), at least this many channels wide">,
    Option<"maxAccumulators", "max-accumulators", "int64_t",
           /*default=*/"24",
           "With nhwc: the accumulator vectors a register tile holds on the "
           "target; below 14, plain convs with 7-column outputs compute 8 "
           "columns (the extra one sliced off) so that tiles hold more "
           "vectors of channels">
  ];
  let dependentDialects = [
    "cnn::CnnDialect",
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

#endif // CNNC_CONVERSION_PASSES_TD
