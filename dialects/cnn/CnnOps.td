//===- CnnOps.td - cnn dialect operations ------------------*- tablegen -*-===//

#ifndef CNN_OPS_TD
#define CNN_OPS_TD

include "dialects/cnn/CnnDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/EnumAttr.td"

// Every tensor has a static shape: the compiler plans all memory up front.
def Cnn_F32Tensor : StaticShapeTensorOf<[F32]>;
class Cnn_RankedF32Tensor<int rank, string what>
    : ConfinedType<Cnn_F32Tensor, [HasAnyRankOfPred<[rank]>], what>;
def Cnn_NchwTensor : Cnn_RankedF32Tensor<4, "static NCHW f32 tensor">;
def Cnn_Matrix : Cnn_RankedF32Tensor<2, "static 2-D f32 tensor">;
def Cnn_Vector : Cnn_RankedF32Tensor<1, "static 1-D f32 tensor">;

// The activation a fused conv2d or dense applies in its epilogue.
def Cnn_Activation : I32EnumAttr<"Activation", "fused activation", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"relu", 1>,
    I32EnumAttrCase<"relu6", 2>, I32EnumAttrCase<"leaky_relu", 3>,
    I32EnumAttrCase<"sigmoid", 4>, I32EnumAttrCase<"tanh", 5>,
    I32EnumAttrCase<"silu", 6>, I32EnumAttrCase<"mish", 7>,
    I32EnumAttrCase<"hardswish", 8>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_ActivationAttr : EnumAttr<Cnn_Dialect, Cnn_Activation, "activation">;

// What `cnn.pad` reads outside the input (ONNX Pad's modes).
def Cnn_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_PadModeAttr : EnumAttr<Cnn_Dialect, Cnn_PadMode, "pad_mode">;

// How `cnn.resize` interpolates (ONNX Resize's modes).
def Cnn_ResizeMode : I32EnumAttr<"ResizeMode", "interpolation", [
    I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_ResizeModeAttr : EnumAttr<Cnn_Dialect, Cnn_ResizeMode, "resize_mode">;

// Where output position x samples the input (ONNX's
// coordinate_transformation_mode).
def Cnn_ResizeCoordinates : I32EnumAttr<"ResizeCoordinates",
    "output-to-input coordinate transform", [
    I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"pytorch_half_pixel", 1>,
    I32EnumAttrCase<"align_corners", 2>, I32EnumAttrCase<"asymmetric", 3>,
    I32EnumAttrCase<"tf_half_pixel_for_centers", 4>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_ResizeCoordinatesAttr
    : EnumAttr<Cnn_Dialect, Cnn_ResizeCoordinates, "resize_coordinates">;

// How `nearest` rounds a coordinate (ONNX's nearest_mode).
def Cnn_NearestRounding : I32EnumAttr<"NearestRounding", "nearest rounding", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>, I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_NearestRoundingAttr
    : EnumAttr<Cnn_Dialect, Cnn_NearestRounding, "nearest_rounding">;

// The functions of `cnn.unary` (their formulas and parameters: CnnUnary.h).
def Cnn_UnaryFn : I32EnumAttr<"UnaryFn", "elementwise function", [
    I32EnumAttrCase<"exp", 0>, I32EnumAttrCase<"log", 1>,
    I32EnumAttrCase<"sqrt", 2>, I32EnumAttrCase<"abs", 3>,
    I32EnumAttrCase<"neg", 4>, I32EnumAttrCase<"reciprocal", 5>,
    I32EnumAttrCase<"floor", 6>, I32EnumAttrCase<"ceil", 7>,
    I32EnumAttrCase<"round", 8>, I32EnumAttrCase<"sign", 9>,
    I32EnumAttrCase<"erf", 10>, I32EnumAttrCase<"sin", 11>,
    I32EnumAttrCase<"cos", 12>, I32EnumAttrCase<"tan", 13>,
    I32EnumAttrCase<"asin", 14>, I32EnumAttrCase<"acos", 15>,
    I32EnumAttrCase<"atan", 16>, I32EnumAttrCase<"sinh", 17>,
    I32EnumAttrCase<"cosh", 18>, I32EnumAttrCase<"asinh", 19>,
    I32EnumAttrCase<"acosh", 20>, I32EnumAttrCase<"atanh", 21>,
    I32EnumAttrCase<"softplus", 22>, I32EnumAttrCase<"softsign", 23>,
    I32EnumAttrCase<"elu", 24>, I32EnumAttrCase<"selu", 25>,
    I32EnumAttrCase<"celu", 26>, I32EnumAttrCase<"thresholded_relu", 27>,
    I32EnumAttrCase<"shrink", 28>, I32EnumAttrCase<"pow", 29>,
    I32EnumAttrCase<"gelu_tanh", 30>, I32EnumAttrCase<"hard_mish", 31>,
    I32EnumAttrCase<"loggy", 32>, I32EnumAttrCase<"ramp", 33>,
    I32EnumAttrCase<"plse", 34>, I32EnumAttrCase<"lhtan", 35>,
    I32EnumAttrCase<"stair", 36>, I32EnumAttrCase<"affine", 37>,
    I32EnumAttrCase<"binarize", 38>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_UnaryFnAttr : EnumAttr<Cnn_Dialect, Cnn_UnaryFn, "unary_fn">;

// What `cnn.reduce` computes over its axes (ONNX's Reduce* ops).
def Cnn_ReduceKind : I32EnumAttr<"ReduceKind", "reduction", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"mean", 1>,
    I32EnumAttrCase<"max", 2>, I32EnumAttrCase<"min", 3>,
    I32EnumAttrCase<"prod", 4>, I32EnumAttrCase<"l1", 5>,
    I32EnumAttrCase<"l2", 6>, I32EnumAttrCase<"sum_square", 7>,
    I32EnumAttrCase<"log_sum", 8>, I32EnumAttrCase<"log_sum_exp", 9>]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_ReduceKindAttr : EnumAttr<Cnn_Dialect, Cnn_ReduceKind, "reduce_kind">;

class Cnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cnn_Dialect, mnemonic, !listconcat(traits, [Pure])>;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def Cnn_WeightOp : Cnn_Op<"weight", [ConstantLike,
    InferTypeOpAdaptor]> {
  let summary = "a named, compile-time constant tensor (a model parameter)";
  let description = [{
    Holds one parameter of the model under its hierarchical name, e.g.
    `layer1.0.conv1.weight`. Large values are `dense_resource` blobs so that
    printed IR stays short.

    ```mlir
    %w = cnn.weight "c1.weight" dense_resource<c1.weight> : tensor<6x1x5x5xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, ElementsAttr:$value);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$name $value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The values, row-major. Emits an error at the op and fails when a
    /// blob is missing or has the wrong size.
    ::mlir::FailureOr<std::vector<float>> readValues();
  }];
}

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

def Cnn_Conv2dOp : Cnn_Op<"conv2d", [AttrSizedOperandSegments]> {
  let summary = "2-D convolution (cross-correlation), NCHW input, FCHW weight";
  let description = [{
    `out[n, f, y, x] = act(bias[f] + residual[n, f, y, x] + sum_{c, i, j}
    in[n, g*C/G + c, y*sh + i*dh - pt, x*sw + j*dw - pl] * w[f, c, i, j])`
    where `g = f / (F / G)`; reads outside the input are zero. `padding` is
    `[top, left, bottom, right]`. The bias and the residual are optional; the
    activation (default `none`) and residual are the epilogue `cnn-fuse`
    folds in (`alpha` is leaky_relu's slope).

    ```mlir
    %y = cnn.conv2d %x, %w bias %b {strides = array<i64: 1, 1>,
           padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>,
           groups = 1 : i64, activation = #cnn<activation relu>}
           : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
           -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Cnn_NchwTensor:$input, Cnn_NchwTensor:$weight,
      Optional<Cnn_Vector>:$bias, Optional<Cnn_NchwTensor>:$residual,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
      DenseI64ArrayAttr:$dilations, I64Attr:$groups,
      DefaultValuedAttr<Cnn_ActivationAttr, "::cnn::Activation::none">:$activation,
      DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs Cnn_NchwTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_DenseOp : Cnn_Op<"dense"> {
  let summary = "fully connected layer: act(x[N, K] * w[M, K]^T + b[M])";
  let description = [{
    The bias is optional; the activation (default `none`) is the epilogue
    `cnn-fuse` folds in (`alpha` is leaky_relu's slope).
  }];
  let arguments = (ins Cnn_Matrix:$input, Cnn_Matrix:$weight,
      Optional<Cnn_Vector>:$bias,
      DefaultValuedAttr<Cnn_ActivationAttr, "::cnn::Activation::none">:$activation,
      DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs Cnn_Matrix:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_BatchNormOp : Cnn_Op<"batchnorm"> {
  let summary = "inference batch normalisation over channel dimension 1";
  let description = [{
    `y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]`.
  }];
  let arguments = (ins Cnn_F32Tensor:$input, Cnn_Vector:$gamma,
      Cnn_Vector:$beta, Cnn_Vector:$mean,
      Cnn_Vector:$variance, F64Attr:$epsilon);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and shape ops
//===----------------------------------------------------------------------===//

class Cnn_Pool2dOp<string mnemonic, string what> : Cnn_Op<mnemonic> {
  let summary = "2-D " # what # " pooling, NCHW";
  let description = [{
    `kernel`, `strides` are `[h, w]`; `padding` is `[top, left, bottom, right]`.
    With `ceil_mode` the output size rounds up as in PyTorch (a window must
    start inside the input or its left padding).
  }];
  let results = (outs Cnn_NchwTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_MaxPool2dOp : Cnn_Pool2dOp<"maxpool2d", "max"> {
  let arguments = (ins Cnn_NchwTensor:$input, DenseI64ArrayAttr:$kernel,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
      BoolAttr:$ceil_mode);
}

def Cnn_AvgPool2dOp : Cnn_Pool2dOp<"avgpool2d", "average"> {
  let arguments = (ins Cnn_NchwTensor:$input, DenseI64ArrayAttr:$kernel,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
      BoolAttr:$ceil_mode, BoolAttr:$count_include_pad);
}

def Cnn_GlobalAvgPoolOp : Cnn_Op<"global_avgpool"> {
  let summary = "mean over H and W: [N, C, H, W] -> [N, C, 1, 1]";
  let arguments = (ins Cnn_NchwTensor:$input);
  let results = (outs Cnn_NchwTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_FlattenOp : Cnn_Op<"flatten"> {
  let summary = "collapse all dimensions after the first: [N, ...] -> [N, K]";
  let arguments = (ins Cnn_F32Tensor:$input);
  let results = (outs Cnn_Matrix:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_ConcatOp : Cnn_Op<"concat"> {
  let summary = "concatenation along `axis` (channels by default)";
  let arguments = (ins Variadic<Cnn_F32Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_UpsampleOp : Cnn_Op<"upsample"> {
  let summary = "nearest-neighbour upsampling by integer factors [h, w]";
  let arguments = (ins Cnn_NchwTensor:$input, DenseI64ArrayAttr:$scale);
  let results = (outs Cnn_NchwTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_ResizeOp : Cnn_Op<"resize"> {
  let summary = "resampling of the rows and columns of an NCHW tensor";
  let description = [{
    ONNX Resize on the two spatial axes, to the result type's size. Output
    position x samples input coordinate `coordinates(x)` (with `scale`, the
    output/input ratio, per axis [h, w]); `nearest` takes the input pixel
    `rounding` picks, `linear` interpolates the two neighbours, `cubic` the
    four with coefficient `cubic_coeff_a`; neighbours outside the input
    repeat its border or, with `exclude_outside`, get no weight (the others
    renormalised). torchvision's `F.interpolate(mode="bilinear")` is
    `linear` with `pytorch_half_pixel` (`align_corners` when asked).

    ```mlir
    %y = cnn.resize %x {mode = #cnn<resize_mode linear>,
           coordinates = #cnn<resize_coordinates pytorch_half_pixel>,
           scale = array<f64: 8.0, 8.0>}
           : (tensor<1x21x28x28xf32>) -> tensor<1x21x224x224xf32>
    ```
  }];
  let arguments = (ins Cnn_NchwTensor:$input, Cnn_ResizeModeAttr:$mode,
      DefaultValuedAttr<Cnn_ResizeCoordinatesAttr,
                        "::cnn::ResizeCoordinates::half_pixel">:$coordinates,
      DefaultValuedAttr<Cnn_NearestRoundingAttr,
                        "::cnn::NearestRounding::round_prefer_floor">:$rounding,
      DenseF64ArrayAttr:$scale,
      DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside);
  let results = (outs Cnn_NchwTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_ReshapeOp : Cnn_Op<"reshape"> {
  let summary = "the same elements, row-major, in another static shape";
  let description = [{
    The result type gives the new shape; the element count is unchanged.
    ONNX Reshape, Squeeze, Unsqueeze and Flatten with any axis import as this.

    ```mlir
    %y = cnn.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<1x2x4xf32>
    ```
  }];
  let arguments = (ins Cnn_F32Tensor:$input);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cnn_PadOp : Cnn_Op<"pad"> {
  let summary = "padding of every dimension, `low` before and `high` after";
  let description = [{
    `constant` fills with `value`; `reflect` mirrors the input without
    repeating the border (`[a, b, c]` padded by 2 is `c, b, a, b, c, b, a`),
    so each pad is below the dimension's size; `edge` repeats the border.

    ```mlir
    %y = cnn.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 2, 2>,
           mode = #cnn<pad_mode constant>, value = 5.000000e-01 : f64}
           : (tensor<1x3x4x4xf32>) -> tensor<1x3x7x7xf32>
    ```
  }];
  let arguments = (ins Cnn_F32Tensor:$input, DenseI64ArrayAttr:$low,
      DenseI64ArrayAttr:$high,
      DefaultValuedAttr<Cnn_PadModeAttr, "::cnn::PadMode::constant">:$mode,
      DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_SliceOp : Cnn_Op<"slice"> {
  let summary = "the elements [offset, offset + size) along `axis`";
  let description = [{
    Keeps `size` consecutive entries of dimension `axis` starting at
    `offset`; the other dimensions are unchanged. Darknet's `[route]` with
    `groups`/`group_id` takes one channel group this way.

    ```mlir
    %y = cnn.slice %x {axis = 1 : i64, offset = 4 : i64, size = 4 : i64}
           : (tensor<1x8x5x5xf32>) -> tensor<1x4x5x5xf32>
    ```
  }];
  let arguments = (ins Cnn_F32Tensor:$input, I64Attr:$axis, I64Attr:$offset,
      I64Attr:$size);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_TransposeOp : Cnn_Op<"transpose"> {
  let summary = "dimensions permuted: result dimension i is input dimension perm[i]";
  let description = [{
    As numpy's `transpose` and ONNX Transpose. A channel shuffle
    (ShuffleNet) is a reshape, a transpose and a reshape back.

    ```mlir
    %y = cnn.transpose %x {perm = array<i64: 0, 2, 3, 1>}
           : (tensor<1x8x5x6xf32>) -> tensor<1x5x6x8xf32>
    ```
  }];
  let arguments = (ins Cnn_F32Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cnn_ReduceOp : Cnn_Op<"reduce"> {
  let summary = "reduction of `axes` to size 1";
  let description = [{
    sum, mean, max, min, prod; l1 (sum of |x|), l2 (square root of the sum
    of squares), sum_square, log_sum (log of the sum) and log_sum_exp (of
    the sum of exponentials, computed from the maximum), over `axes`
    (increasing). The result keeps the reduced dimensions as 1s (ONNX's
    keepdims=0 is a `cnn.reshape` after it).

    ```mlir
    %m = cnn.reduce mean %x {axes = array<i64: 3>}
           : (tensor<1x56x56x96xf32>) -> tensor<1x56x56x1xf32>
    ```
  }];
  let arguments = (ins Cnn_ReduceKindAttr:$kind, Cnn_F32Tensor:$input,
      DenseI64ArrayAttr:$axes);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "`` $kind $input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_SoftmaxOp : Cnn_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax (or, with `log`, its logarithm) along `axis`";
  let arguments = (ins Cnn_F32Tensor:$input, I64Attr:$axis,
      DefaultValuedAttr<BoolAttr, "false">:$log);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Cnn_UnaryOp<string mnemonic, string formula>
    : Cnn_Op<mnemonic, [SameOperandsAndResultType]> {
  let summary = "elementwise " # formula;
  let arguments = (ins Cnn_F32Tensor:$input);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Cnn_ReluOp : Cnn_UnaryOp<"relu", "max(x, 0)">;
def Cnn_Relu6Op : Cnn_UnaryOp<"relu6", "min(max(x, 0), 6)">;
def Cnn_SigmoidOp : Cnn_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Cnn_TanhOp : Cnn_UnaryOp<"tanh", "tanh(x)">;
def Cnn_SiluOp : Cnn_UnaryOp<"silu", "x * sigmoid(x)">;
def Cnn_MishOp : Cnn_UnaryOp<"mish", "x * tanh(log(1 + exp(x)))">;
def Cnn_LeakyReluOp : Cnn_UnaryOp<"leaky_relu", "x > 0 ? x : alpha * x"> {
  let arguments = (ins Cnn_F32Tensor:$input, F64Attr:$alpha);
}

def Cnn_HardSigmoidOp
    : Cnn_UnaryOp<"hardsigmoid", "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins Cnn_F32Tensor:$input, F64Attr:$alpha, F64Attr:$beta);
}
def Cnn_HardSwishOp
    : Cnn_UnaryOp<"hardswish", "x * max(0, min(1, x / 6 + 1 / 2))">;
def Cnn_ClipOp : Cnn_UnaryOp<"clip", "min(max(x, min), max)"> {
  let description = [{
    A bound that is absent does not clip (ONNX Clip without `min` or `max`).
    `[0, 6]` and `[0, inf)` are `cnn.relu6` and `cnn.relu`, which fuse.
  }];
  let arguments = (ins Cnn_F32Tensor:$input, OptionalAttr<F64Attr>:$min,
      OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
}

def Cnn_UnaryOp : Cnn_Op<"unary", [SameOperandsAndResultType]> {
  let summary = "elementwise function `fn` with up to two parameters";
  let description = [{
    The elementwise functions that are not layer activations (those have
    ops of their own and fuse into convolutions): exp, log, sqrt, erf,
    trigonometric, rounding, and parameterised ones such as ONNX's Elu
    (`alpha`) or Selu (`alpha`, `gamma`) or Pow by a constant (`exponent`).
    One table (CnnUnary.h) gives each function's formula, parameter names
    and defaults; `p0` and `p1` hold the parameters in that order.

    ```mlir
    %y = cnn.unary erf %x : tensor<1x96x56x56xf32>
    %z = cnn.unary elu %x {p0 = 1.0} : tensor<1x96x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_UnaryFnAttr:$fn, Cnn_F32Tensor:$input,
      DefaultValuedAttr<F64Attr, "0.0">:$p0,
      DefaultValuedAttr<F64Attr, "0.0">:$p1);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "`` $fn $input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

class Cnn_BinaryOp<string mnemonic, string formula> : Cnn_Op<mnemonic> {
  let summary = "elementwise " # formula # " with size-1 broadcasting";
  let description = [{
    Both operands have the same rank; each dimension is equal or 1 in one of
    them (numpy broadcasting), e.g. a [N, C, 1, 1] gate times [N, C, H, W].
  }];
  let arguments = (ins Cnn_F32Tensor:$lhs, Cnn_F32Tensor:$rhs);
  let results = (outs Cnn_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cnn_AddOp : Cnn_BinaryOp<"add", "a + b">;
def Cnn_MulOp : Cnn_BinaryOp<"mul", "a * b">;
def Cnn_SubOp : Cnn_BinaryOp<"sub", "a - b">;
def Cnn_DivOp : Cnn_BinaryOp<"div", "a / b">;
def Cnn_PowOp : Cnn_BinaryOp<"pow", "a ^ b">;
def Cnn_MaxOp : Cnn_BinaryOp<"max", "max(a, b)">;
def Cnn_MinOp : Cnn_BinaryOp<"min", "min(a, b)">;

#endif // CNN_OPS_TD
