//===- VectorCode.h - small builders for hand-generated vector code -*- C++
//-*-===//
//
// The passes that write their loops' vector code themselves (cnnc-winograd's
// transforms, cnnc-fuse-expand-depthwise) share these.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_VECTORCODE_H
#define CNNC_TRANSFORMS_VECTORCODE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace cnnc {

/// An index constant.
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// base + offset (base itself for 0).
mlir::Value plus(mlir::OpBuilder &b, mlir::Location loc, mlir::Value base,
                 int64_t offset);

/// A vector of `type` read in bounds from `source` at `indices`.
mlir::Value readVector(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::VectorType type, mlir::Value source,
                       llvm::ArrayRef<mlir::Value> indices);

/// `vectors` (all of one type) as the rows of one vector of `shape`.
mlir::Value stack(mlir::OpBuilder &b, mlir::Location loc,
                  llvm::ArrayRef<mlir::Value> vectors,
                  llvm::ArrayRef<int64_t> shape);

/// Rows [0, count) of the leading dimension of `v`.
llvm::SmallVector<mlir::Value> unstack(mlir::OpBuilder &b, mlir::Location loc,
                                       mlir::Value v, int64_t count);

/// The `rows` x `columns` pixel vectors of `lanes` channels of NHWC `source`
/// from (image, row, column, channel) on, row-major, read a row at a time.
llvm::SmallVector<mlir::Value> readPatch(mlir::OpBuilder &b, mlir::Location loc,
                                         mlir::Value source,
                                         llvm::ArrayRef<mlir::Value> origin,
                                         int64_t rows, int64_t columns,
                                         int64_t lanes);

/// The bias vector of `lanes` channels at `channel`: `bias` is a [F] tensor
/// or a scalar (see biasOf).
mlir::Value biasVector(mlir::OpBuilder &b, mlir::Location loc, mlir::Value bias,
                       mlir::Value channel, int64_t lanes);

/// An elementwise epilogue's body on vectors of `lanes`: each op recreated
/// with vector types, block arguments bound to `inputs`, scalars from
/// outside broadcast.
mlir::Value applyEpilogue(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::linalg::GenericOp epilogue,
                          llvm::ArrayRef<mlir::Value> inputs, int64_t lanes);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_VECTORCODE_H
