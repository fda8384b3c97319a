//===- CnnToLinalg.cpp - the convert-cnn-to-linalg pass -------------------===//

#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnDialect.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CONVERTCNNTOLINALG
#include "compiler/conversion/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct ConvertCnnToLinalg
    : cnnc::impl::ConvertCnnToLinalgBase<ConvertCnnToLinalg> {
  using ConvertCnnToLinalgBase::ConvertCnnToLinalgBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet ops(ctx), weights(ctx);
    cnnc::populateConvToLinalgPatterns(ops, nhwc, minGroupWidth,
                                       maxAccumulators);
    cnnc::populatePoolToLinalgPatterns(ops, nhwc);
    cnnc::populateElementwiseToLinalgPatterns(ops);
    cnnc::populateDataMovementToLinalgPatterns(ops);
    cnnc::populateWeightToLinalgPatterns(weights);
    // The greedy driver, top down: each op is rewritten after its producers
    // and sees what they became (layout-agnostic ops follow an NHWC
    // producer, see followProducerLayout).
    auto config = GreedyRewriteConfig().setUseTopDownTraversal();
    if (failed(applyPatternsGreedily(getOperation(), std::move(ops), config)) ||
        failed(applyPatternsGreedily(getOperation(), std::move(weights),
                                     config))) {
      getOperation()->emitError("convert-cnn-to-linalg did not converge");
      return signalPassFailure();
    }
    WalkResult left = getOperation()->walk([](Operation *op) {
      if (!isa<cnn::CnnDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError("no lowering to linalg for this op");
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
