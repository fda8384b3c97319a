//===- ExpandDepthwise.h - which convs the expansion fusion takes -*- C++
//-*-===//

#ifndef CNNC_TRANSFORMS_EXPANDDEPTHWISE_H
#define CNNC_TRANSFORMS_EXPANDDEPTHWISE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace cnnc {

/// Whether cnnc-fuse-expand-depthwise computes `op` (a 1x1 expansion, or the
/// depthwise conv reading it) as part of a fused pair, with vectors of
/// `lanes` floats.
bool fusesExpandDepthwise(mlir::linalg::LinalgOp op, int64_t lanes);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_EXPANDDEPTHWISE_H
