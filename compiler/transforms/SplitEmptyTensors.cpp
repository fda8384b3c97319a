//===- SplitEmptyTensors.cpp - a tensor.empty per use ---------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace cnnc {
#define GEN_PASS_DEF_SPLITEMPTYTENSORS
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Bufferization's analysis grows with the cube of this, per empty; below it
/// the empties stay shared, as the layers' in-place choices (and the
/// planned workspace) were made with them.
constexpr unsigned kUsesPerEmpty = 16;

struct SplitEmptyTensors
    : cnnc::impl::SplitEmptyTensorsBase<SplitEmptyTensors> {
  void runOnOperation() override {
    SmallVector<tensor::EmptyOp> shared;
    getOperation()->walk([&](tensor::EmptyOp empty) {
      if (!empty.getResult().hasNUsesOrMore(kUsesPerEmpty + 1))
        return;
      shared.push_back(empty);
    });
    for (tensor::EmptyOp empty : shared) {
      // Each further group of uses gets a clone beside the original (not
      // at a use, which may be in a loop).
      OpBuilder builder(empty);
      builder.setInsertionPointAfter(empty);
      SmallVector<OpOperand *> uses = llvm::to_vector(llvm::map_range(
          empty->getUses(), [](OpOperand &use) { return &use; }));
      Value current = empty;
      for (auto [i, use] : llvm::enumerate(uses)) {
        if (i && i % kUsesPerEmpty == 0)
          current = builder.clone(*empty)->getResult(0);
        use->set(current);
      }
    }
  }
};

} // namespace
