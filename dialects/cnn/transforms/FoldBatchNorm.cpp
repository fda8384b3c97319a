//===- FoldBatchNorm.cpp - batch-norm into the preceding layer ------------===//

#include "dialects/cnn/transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace cnn {
#define GEN_PASS_DEF_CNNFOLDBATCHNORM
#include "dialects/cnn/transforms/Passes.h.inc"
} // namespace cnn

using namespace mlir;
using namespace cnn;

namespace {

/// The values of a weight operand, or failure if it is not a constant.
FailureOr<std::vector<float>> constantValues(Value v) {
  auto weight = v.getDefiningOp<WeightOp>();
  if (!weight)
    return failure();
  return weight.readValues();
}

struct FoldBatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *layer = bn.getInput().getDefiningOp();
    auto conv = dyn_cast_or_null<Conv2dOp>(layer);
    auto dense = dyn_cast_or_null<DenseOp>(layer);
    if ((!conv && !dense) || !layer->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a conv or dense");
    // Only a plain layer: an activation or residual add comes after the
    // affine part the batch-norm would be folded into.
    if ((conv &&
         (conv.getResidual() || conv.getActivation() != Activation::none)) ||
        (dense && dense.getActivation() != Activation::none))
      return rewriter.notifyMatchFailure(bn, "the layer has an epilogue");
    Value weight = layer->getOperand(1);
    Value bias = conv ? conv.getBias() : dense.getBias();
    auto w = constantValues(weight);
    auto gamma = constantValues(bn.getGamma());
    auto beta = constantValues(bn.getBeta());
    auto mean = constantValues(bn.getMean());
    auto var = constantValues(bn.getVariance());
    FailureOr<std::vector<float>> b =
        bias ? constantValues(bias)
             : FailureOr<std::vector<float>>(std::vector<float>(gamma->size()));
    if (failed(w) || failed(gamma) || failed(beta) || failed(mean) ||
        failed(var) || failed(b))
      return rewriter.notifyMatchFailure(bn, "parameters are not constant");

    // Output channel f owns the f-th contiguous row of the weight.
    double eps = bn.getEpsilon().convertToDouble();
    size_t channels = gamma->size(), row = w->size() / channels;
    std::vector<float> newWeight(w->size()), newBias(channels);
    for (size_t f = 0; f < channels; ++f) {
      double scale = (*gamma)[f] / std::sqrt(double((*var)[f]) + eps);
      for (size_t i = 0; i < row; ++i)
        newWeight[f * row + i] = static_cast<float>((*w)[f * row + i] * scale);
      newBias[f] = static_cast<float>(((*b)[f] - double((*mean)[f])) * scale +
                                      (*beta)[f]);
    }

    std::string name =
        weight.getDefiningOp<WeightOp>().getName().str() + ".folded";
    std::string biasName =
        bias ? bias.getDefiningOp<WeightOp>().getName().str() + ".folded"
             : name.substr(0, name.rfind(".weight")) + ".bias.folded";
    auto weightType = cast<RankedTensorType>(weight.getType());
    auto biasType =
        RankedTensorType::get({int64_t(channels)}, weightType.getElementType());
    Location loc = rewriter.getFusedLoc({layer->getLoc(), bn.getLoc()});
    rewriter.setInsertionPoint(layer);
    Value foldedWeight = WeightOp::create(
        rewriter, weight.getLoc(), rewriter.getStringAttr(name),
        createWeightBlob(weightType, name, newWeight));
    Value foldedBias =
        WeightOp::create(rewriter, loc, rewriter.getStringAttr(biasName),
                         createWeightBlob(biasType, biasName, newBias));

    rewriter.modifyOpInPlace(layer, [&] {
      layer->setOperand(1, foldedWeight);
      (conv ? conv.getBiasMutable() : dense.getBiasMutable())
          .assign(foldedBias);
      layer->setLoc(loc);
    });
    rewriter.replaceOp(bn, layer->getResults());
    return success();
  }
};

struct CnnFoldBatchNorm : cnn::impl::CnnFoldBatchNormBase<CnnFoldBatchNorm> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
