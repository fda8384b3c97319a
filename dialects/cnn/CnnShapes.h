//===- CnnShapes.h - result shapes of cnn layers ----------------*- C++ -*-===//
//
// Shape rules shared by the op verifiers and the front ends, so that a user
// error is reported once, at the layer's source location, with the same words.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_SHAPES_H
#define CNN_SHAPES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

namespace cnn {

using Shape = llvm::SmallVector<int64_t, 4>;
using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// "[1, 3, 224, 224]"
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The most elements a tensor of a model may have (8 GiB of f32): larger
/// ones are an error, not an allocation that fails at run time (and their
/// element counts stay far from int64 overflow).
constexpr int64_t kMaxTensorElements = int64_t(1) << 31;

/// An error unless every dimension of `shape` is at least 1 and it has at
/// most kMaxTensorElements elements (`what` names it in the error).
mlir::LogicalResult checkTensorSize(EmitErrorFn emitError, llvm::StringRef what,
                                    llvm::ArrayRef<int64_t> shape);

/// Output length of a sliding window along one axis (PyTorch rules, including
/// ceil_mode: the last window must start inside the input or left padding).
int64_t slidingOutputSize(int64_t in, int64_t kernel, int64_t stride,
                          int64_t padBegin, int64_t padEnd, int64_t dilation,
                          bool ceilMode);

/// ONNX/TensorFlow SAME padding [top, left, bottom, right] of an NCHW input:
/// output = ceil(input / stride); an odd total puts the extra row/column at
/// the end (`upper`, SAME_UPPER) or the beginning (SAME_LOWER).
Shape samePadding(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> kernel,
                  llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> dilations, bool upper = true);

mlir::FailureOr<Shape>
inferConv2dShape(EmitErrorFn emitError, llvm::ArrayRef<int64_t> input,
                 llvm::ArrayRef<int64_t> weight, std::optional<Shape> bias,
                 llvm::ArrayRef<int64_t> strides,
                 llvm::ArrayRef<int64_t> padding,
                 llvm::ArrayRef<int64_t> dilations, int64_t groups);

mlir::FailureOr<Shape> inferDenseShape(EmitErrorFn emitError,
                                       llvm::ArrayRef<int64_t> input,
                                       llvm::ArrayRef<int64_t> weight,
                                       std::optional<Shape> bias);

mlir::FailureOr<Shape> inferPool2dShape(EmitErrorFn emitError,
                                        llvm::ArrayRef<int64_t> input,
                                        llvm::ArrayRef<int64_t> kernel,
                                        llvm::ArrayRef<int64_t> strides,
                                        llvm::ArrayRef<int64_t> padding,
                                        bool ceilMode);

mlir::LogicalResult verifyBatchNormShapes(EmitErrorFn emitError,
                                          llvm::ArrayRef<int64_t> input,
                                          llvm::ArrayRef<Shape> params);

mlir::FailureOr<Shape> inferFlattenShape(EmitErrorFn emitError,
                                         llvm::ArrayRef<int64_t> input);

mlir::FailureOr<Shape> inferConcatShape(EmitErrorFn emitError,
                                        llvm::ArrayRef<Shape> inputs,
                                        int64_t axis);

mlir::FailureOr<Shape> inferUpsampleShape(EmitErrorFn emitError,
                                          llvm::ArrayRef<int64_t> input,
                                          llvm::ArrayRef<int64_t> scale);

/// `target` with one -1 resolved from the element count and, with
/// `copyZeros` (ONNX Reshape), each 0 copied from the same input dimension.
mlir::FailureOr<Shape> inferReshapeShape(EmitErrorFn emitError,
                                         llvm::ArrayRef<int64_t> input,
                                         llvm::ArrayRef<int64_t> target,
                                         bool copyZeros);

/// `input` grown by `low`/`high` per dimension; `reflect` padding must stay
/// below each dimension's size (the border is not repeated).
mlir::FailureOr<Shape> inferPadShape(EmitErrorFn emitError,
                                     llvm::ArrayRef<int64_t> input,
                                     llvm::ArrayRef<int64_t> low,
                                     llvm::ArrayRef<int64_t> high,
                                     bool reflect);

/// `size` entries of dimension `axis` from `offset` on.
mlir::FailureOr<Shape> inferSliceShape(EmitErrorFn emitError,
                                       llvm::ArrayRef<int64_t> input,
                                       int64_t axis, int64_t offset,
                                       int64_t size);

/// `input`'s dimensions in the order `perm` (a permutation of its axes).
mlir::FailureOr<Shape> inferTransposeShape(EmitErrorFn emitError,
                                           llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> perm);

mlir::FailureOr<Shape> inferBroadcastShape(EmitErrorFn emitError,
                                           llvm::ArrayRef<int64_t> lhs,
                                           llvm::ArrayRef<int64_t> rhs);

mlir::LogicalResult verifyAxis(EmitErrorFn emitError, int64_t axis,
                               int64_t rank);

/// `input` with the dimensions `axes` (increasing, each once) reduced to 1.
mlir::FailureOr<Shape> inferReduceShape(EmitErrorFn emitError,
                                        llvm::ArrayRef<int64_t> input,
                                        llvm::ArrayRef<int64_t> axes);

/// A user's axis, negative counting from the end (PyTorch, ONNX), made
/// non-negative and checked.
mlir::FailureOr<int64_t> normalizeAxis(EmitErrorFn emitError, int64_t axis,
                                       int64_t rank);

} // namespace cnn

#endif // CNN_SHAPES_H
