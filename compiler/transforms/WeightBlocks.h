//===- WeightBlocks.h - output-channel blocked conv weights -----*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_WEIGHTBLOCKS_H
#define CNNC_TRANSFORMS_WEIGHTBLOCKS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace cnnc {

/// The f32 values of a constant: a resource blob or dense elements.
std::optional<std::vector<float>> constantValues(mlir::ElementsAttr attr);

/// For a conv tiled to `block` output channels whose weight operand is a
/// slice [0, 0, 0, f] [KH, KW, C, block] of a constant HWCF weight: repacks
/// the constant as [F / block, KH, KW, C, block] and reads the tile's
/// weights as the contiguous block f / block of it. Fails, changing
/// nothing, on any other weight operand.
mlir::LogicalResult readWeightsInBlocks(mlir::linalg::LinalgOp conv,
                                        int64_t block);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_WEIGHTBLOCKS_H
