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
    if (!layer || !isa<Conv2dOp, DenseOp>(layer) ||
        !layer->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a conv or dense");
    Value weight = layer->getOperand(1);
    Value bias = layer->getNumOperands() > 2 ? layer->getOperand(2) : Value();
    auto w = constantValues(weight);
    auto gamma = constantValues(bn.getGamma());
    auto beta = constantValues(bn.getBeta());
    auto mean = constantValues(bn.getMean());
    auto var = constantValues(bn.getVariance());
    FailureOr<std::vector<float>> b =
        bias ? constantValues(bias) : FailureOr<std::vector<float>>(
                                          std::vector<float>(gamma->size()));
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
      newBias[f] =
          static_cast<float>(((*b)[f] - double((*mean)[f])) * scale + (*beta)[f]);
    }

    std::string name =
        weight.getDefiningOp<WeightOp>().getName().str() + ".folded";
    std::string biasName =
        bias ? bias.getDefiningOp<WeightOp>().getName().str() + ".folded"
             : name.substr(0, name.rfind(".weight")) + ".bias.folded";
    auto weightType = cast<RankedTensorType>(weight.getType());
    auto biasType = RankedTensorType::get({int64_t(channels)},
                                          weightType.getElementType());
    Location loc = rewriter.getFusedLoc({layer->getLoc(), bn.getLoc()});
    Value foldedWeight = WeightOp::create(
        rewriter, weight.getLoc(), rewriter.getStringAttr(name),
        createWeightBlob(weightType, name, newWeight));
    Value foldedBias = WeightOp::create(
        rewriter, loc, rewriter.getStringAttr(biasName),
        createWeightBlob(biasType, biasName, newBias));

    OperationState state(loc, layer->getName());
    state.addOperands({layer->getOperand(0), foldedWeight, foldedBias});
    state.addAttributes(layer->getAttrs());
    state.addTypes(bn.getType());
    rewriter.replaceOp(bn, rewriter.create(state)->getResults());
    rewriter.eraseOp(layer);
    return success();
  }
};

struct CnnFoldBatchNorm
    : cnn::impl::CnnFoldBatchNormBase<CnnFoldBatchNorm> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
