//===- GraphDot.h - cnnc --emit=dot: the model graph for Graphviz -*- C++
//-*-===//

#ifndef CNNC_PIPELINE_GRAPHDOT_H
#define CNNC_PIPELINE_GRAPHDOT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Writes `model` (the optimised cnn-dialect model) as a Graphviz digraph:
/// one node per input, layer (its fused form, output shape and MFLOP, as
/// --report describes it) and output; an edge per tensor a layer reads,
/// labelled with its shape. Weights are part of their layer.
void writeGraphDot(mlir::func::FuncOp model, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_PIPELINE_GRAPHDOT_H
