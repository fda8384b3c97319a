//===- Passes.h - cnnc conversion passes ------------------------*- C++ -*-===//

#ifndef CNNC_CONVERSION_PASSES_H
#define CNNC_CONVERSION_PASSES_H

#include "dialects/cnn/CnnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "compiler/conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/conversion/Passes.h.inc"

/// One populate function per op family (conv/dense, pooling, elementwise,
/// data movement); convert-cnn-to-linalg uses them all. With `nhwc`, plain
/// and depthwise convolutions and pooling are computed in NHWC, dense layers
/// on blocked weights, grouped convolutions as a conv per group with groups
/// narrower than `minGroupWidth` output channels merged; plain convs with 7
/// output columns compute 8 where a register tile holds fewer than 14
/// `maxAccumulators`.
void populateConvToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  bool nhwc = false, int64_t minGroupWidth = 1,
                                  int64_t maxAccumulators = 24);
void populatePoolToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  bool nhwc = false);
void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// cnn.weight as constants: after the rest, whose patterns read (and
/// repack) weights through cnn.weight.
void populateWeightToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_CONVERSION_PASSES_H
