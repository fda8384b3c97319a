//===- LinalgBuilders.h - small helpers for the cnn lowering ----*- C++ -*-===//

#ifndef CNNC_CONVERSION_LINALGBUILDERS_H
#define CNNC_CONVERSION_LINALGBUILDERS_H

#include "dialects/cnn/CnnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace cnnc {

/// A tensor of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double value);

/// `input` padded by `low`/`high` per dimension with `value`; returns
/// `input` itself when there is no padding.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      double value);

/// The broadcasting indexing map of an operand of shape `operand` in a loop
/// nest over `result`: same rank, size-1 dimensions read index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operand,
                             llvm::ArrayRef<int64_t> result);

/// An all-parallel linalg.generic over `resultType` reading `inputs` through
/// `maps` (one per input); `body` computes the output element from the
/// input elements.
mlir::Value
elementwise(mlir::OpBuilder &b, mlir::Location loc,
            mlir::RankedTensorType resultType, mlir::ValueRange inputs,
            llvm::ArrayRef<mlir::AffineMap> maps,
            llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                           mlir::ValueRange)>
                body);

/// `activation(x)` on a scalar (`alpha`: leaky_relu's slope); `x` itself for
/// `none`. Shared by the activation ops and the fused conv/dense epilogue.
mlir::Value applyActivation(mlir::OpBuilder &b, mlir::Location loc,
                            cnn::Activation activation, double alpha,
                            mlir::Value x);

/// `value` with its dimensions permuted: result dim i is input dim perm[i]
/// (a linalg.transpose; canonicalisation composes adjacent ones).
mlir::Value transpose(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> perm);

/// NCHW <-> NHWC: the layout changes at the edges of the ops computed in
/// NHWC at -O2 (linalg.transpose; canonicalisation cancels adjacent pairs).
mlir::Value toNhwc(mlir::OpBuilder &b, mlir::Location loc, mlir::Value nchw);
mlir::Value toNchw(mlir::OpBuilder &b, mlir::Location loc, mlir::Value nhwc);

/// Whether `value` is an NHWC tensor transposed to NCHW (the result of an
/// op computed in NHWC).
bool isNchwOfNhwc(mlir::Value value);

/// The NHWC type with the sizes of the NCHW `type`.
mlir::RankedTensorType nhwcTypeOf(mlir::RankedTensorType type);

/// The NHWC position of NCHW dimension `axis`.
int64_t nhwcAxis(int64_t axis);

/// Layout-agnostic ops (activations, arithmetic, concat, slices, upsampling)
/// follow their producers: when an input is an NHWC result transposed to
/// NCHW (a conv or pooling at -O2) and all are 4-D, `build(inputs, true)`
/// computes in NHWC from the inputs in NHWC (those transposes then cancel
/// against the producers') and its result is transposed back, so a chain of
/// such ops between convs stays NHWC; otherwise `build(inputs, false)`
/// computes in NCHW.
mlir::Value followProducerLayout(
    mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
    llvm::function_ref<mlir::Value(mlir::ValueRange, bool)> build);

/// An f32 constant.
mlir::Value f32Constant(mlir::OpBuilder &b, mlir::Location loc, double value);

/// max(x, low) and min(x, high) for a constant bound, as a compare and a
/// select: a NaN x stays NaN (the compare is false), as with
/// arith.maximumf/minimumf, without their NaN test of the constant (two more
/// instructions per vector on x86).
mlir::Value clampBelow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       double low);
mlir::Value clampAbove(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       double high);

/// max(0, min(1, alpha * x + beta)).
mlir::Value hardSigmoid(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        double alpha, double beta);

/// cnn.unary's function `fn` of the scalar or vector `x`, with parameters
/// p0 and p1 (CnnUnary.h).
mlir::Value unaryFunction(mlir::OpBuilder &b, mlir::Location loc,
                          cnn::UnaryFn fn, double p0, double p1, mlir::Value x);

} // namespace cnnc

#endif // CNNC_CONVERSION_LINALGBUILDERS_H
