//===- ForwardTransfers.cpp - tile temporaries that stay in registers -----===//
//
// A fused conv tile writes its bias-initialised accumulators to a
// tile-sized buffer and reads them back twice: before the reduction loops
// and for the epilogue. On tensors these round trips do not fold (the
// vectors lost the unit dimensions the slices keep), so bufferization gives
// every tile a temporary buffer inside the thread-level loop. Here the
// transfers are forwarded on buffers instead: views folded into the
// transfers' indices, each read of what a write just stored replaced by
// the stored vector, then the writes nobody reads and their buffers
// removed. Besides the memory traffic, such a buffer inside a parallel loop
// would be one buffer shared by all of its iterations once the workspace
// is planned.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_FORWARDTRANSFERS
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct ForwardTransfers : cnnc::impl::ForwardTransfersBase<ForwardTransfers> {
  void runOnOperation() override {
    Operation *root = getOperation();
    RewritePatternSet patterns(&getContext());
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    // Not converging within the driver's limits only means less folded.
    (void)applyPatternsGreedily(root, std::move(patterns));
    IRRewriter rewriter(&getContext());
    vector::transferOpflowOpt(rewriter, root);
    memref::eraseDeadAllocAndStores(rewriter, root);
  }
};

} // namespace
