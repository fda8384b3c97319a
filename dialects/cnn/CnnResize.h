//===- CnnResize.h - the sampling positions of cnn.resize -------*- C++ -*-===//
//
// ONNX Resize's coordinate transforms and interpolation coefficients along
// one axis, shared by the reference evaluator and the lowering (which bakes
// them into constant tables).
//
//===----------------------------------------------------------------------===//

#ifndef CNN_RESIZE_H
#define CNN_RESIZE_H

#include "dialects/cnn/CnnOps.h"

#include "llvm/ADT/SmallVector.h"

namespace cnn {

/// What each output position of one axis reads: `taps` input positions
/// (within the input) and their weights, at [out * taps + k].
struct ResizeTaps {
  int64_t taps;
  llvm::SmallVector<int64_t> index;
  llvm::SmallVector<double> weight;
};

/// The taps of an axis of `in` positions resized to `out` with `scale`
/// (output/input) by `op`'s mode, coordinates and rounding.
ResizeTaps resizeTaps(ResizeOp op, int64_t in, int64_t out, double scale);

} // namespace cnn

#endif // CNN_RESIZE_H
