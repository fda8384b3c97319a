//===- CnnToLinalg.cpp - the convert-cnn-to-linalg pass -------------------===//

#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnDialect.h"

#include "mlir/Transforms/DialectConversion.h"

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
    RewritePatternSet patterns(ctx);
    cnnc::populateConvToLinalgPatterns(patterns, nhwc);
    cnnc::populatePoolToLinalgPatterns(patterns, nhwc);
    cnnc::populateElementwiseToLinalgPatterns(patterns);
    cnnc::populateDataMovementToLinalgPatterns(patterns);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<cnn::CnnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
