//===- LayerInfo.h - how --report and --emit=dot describe a layer -*- C++
//-*-===//
//
// A layer is an op of the optimised cnn-dialect model: fused, batch-norm
// folded.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_PIPELINE_LAYERINFO_H
#define CNNC_PIPELINE_LAYERINFO_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace cnnc {

/// "1x64x56x56"; "-" for a non-tensor.
std::string shapeText(mlir::Type type);
/// Its FLOPs, multiply-adds counting as two; data movement none.
int64_t layerFlops(mlir::Operation *op);
/// The op with the parts cnn-fuse folded into it: "conv2d 3x3/2 + bias +
/// relu".
std::string describeLayer(mlir::Operation *op);
/// Its name: its weight's, without the parameter suffix; "-" without one.
std::string layerName(mlir::Operation *op);
/// file:line:col (the file name only) or the ONNX node name.
std::string layerWhere(mlir::Location loc);

} // namespace cnnc

#endif // CNNC_PIPELINE_LAYERINFO_H
