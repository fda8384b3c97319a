//===- Fuse.cpp - activations and residual adds into conv2d/dense ---------===//

#include "dialects/cnn/transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnn {
#define GEN_PASS_DEF_CNNFUSE
#include "dialects/cnn/transforms/Passes.h.inc"
} // namespace cnn

using namespace mlir;
using namespace cnn;

namespace {

/// A conv2d or dense whose only user is `user` and that has no epilogue yet.
Operation *plainLayerFeeding(Value v, Operation *user) {
  Operation *layer = v.getDefiningOp();
  if (!layer || !v.hasOneUse())
    return nullptr;
  if (auto conv = dyn_cast<Conv2dOp>(layer))
    return conv.getActivation() == Activation::none ? layer : nullptr;
  if (auto dense = dyn_cast<DenseOp>(layer))
    return dense.getActivation() == Activation::none ? layer : nullptr;
  return nullptr;
}

template <typename OpTy> struct FuseActivation : OpRewritePattern<OpTy> {
  FuseActivation(MLIRContext *ctx, Activation activation)
      : OpRewritePattern<OpTy>(ctx), activation(activation) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Operation *layer = plainLayerFeeding(op.getInput(), op);
    if (!layer)
      return rewriter.notifyMatchFailure(op, "no plain conv2d/dense input");
    double alpha = 0.01;
    if constexpr (std::is_same_v<OpTy, LeakyReluOp>)
      alpha = op.getAlpha().convertToDouble();
    rewriter.modifyOpInPlace(layer, [&] {
      layer->setAttr("activation",
                     ActivationAttr::get(rewriter.getContext(), activation));
      layer->setAttr("alpha", rewriter.getF64FloatAttr(alpha));
      layer->setLoc(rewriter.getFusedLoc({layer->getLoc(), op.getLoc()}));
    });
    rewriter.replaceOp(op, layer->getResults());
    return success();
  }
  Activation activation;
};

struct FuseResidualAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (auto [convInput, other] : {std::pair{add.getLhs(), add.getRhs()},
                                    std::pair{add.getRhs(), add.getLhs()}}) {
      auto conv = dyn_cast_or_null<Conv2dOp>(plainLayerFeeding(convInput, add));
      // Same shapes only: a broadcast add is not a residual.
      if (!conv || conv.getResidual() || other.getType() != add.getType() ||
          convInput.getType() != add.getType())
        continue;
      // The conv moves down to the add, where `other` is defined; its own
      // operands are defined before it, hence before the add too.
      rewriter.moveOpBefore(conv, add);
      Value residual = other;
      rewriter.modifyOpInPlace(conv, [&] {
        conv.getResidualMutable().assign(residual);
        conv->setLoc(rewriter.getFusedLoc({conv.getLoc(), add.getLoc()}));
      });
      rewriter.replaceOp(add, conv.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no conv2d operand to fuse");
  }
};

/// x * sigmoid(x) is silu(x), and x * hardsigmoid(x) with HardSwish's
/// constants (alpha 1/6, beta 1/2) is hardswish(x): how PyTorch writes SiLU,
/// and Hardswish below ONNX opset 14. As one activation they fuse into the
/// conv that computes x.
struct FormGatedActivation : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, gate] : {std::pair{mul.getLhs(), mul.getRhs()},
                           std::pair{mul.getRhs(), mul.getLhs()}}) {
      Operation *gateOp = gate.getDefiningOp();
      if (!gateOp || !gate.hasOneUse() || x.getType() != mul.getType() ||
          gateOp->getOperand(0) != x)
        continue;
      Location loc = rewriter.getFusedLoc({gateOp->getLoc(), mul.getLoc()});
      Value result;
      if (isa<SigmoidOp>(gateOp))
        result = SiluOp::create(rewriter, loc, x);
      else if (auto hard = dyn_cast<HardSigmoidOp>(gateOp);
               hard && isNear(hard.getAlpha(), 1.0 / 6) &&
               isNear(hard.getBeta(), 0.5))
        result = HardSwishOp::create(rewriter, loc, x);
      else
        continue;
      rewriter.replaceOp(mul, result);
      rewriter.eraseOp(gateOp);
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "not x times a gate of x");
  }

  /// Equal up to float rounding (ONNX stores 1/6 as a float).
  static bool isNear(const llvm::APFloat &value, double expected) {
    return std::abs(value.convertToDouble() - expected) <=
           1e-6 * std::abs(expected);
  }
};

struct CnnFuse : cnn::impl::CnnFuseBase<CnnFuse> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FuseActivation<ReluOp>>(ctx, Activation::relu);
    patterns.add<FuseActivation<Relu6Op>>(ctx, Activation::relu6);
    patterns.add<FuseActivation<LeakyReluOp>>(ctx, Activation::leaky_relu);
    patterns.add<FuseActivation<SigmoidOp>>(ctx, Activation::sigmoid);
    patterns.add<FuseActivation<TanhOp>>(ctx, Activation::tanh);
    patterns.add<FuseActivation<SiluOp>>(ctx, Activation::silu);
    patterns.add<FuseActivation<MishOp>>(ctx, Activation::mish);
    patterns.add<FuseActivation<HardSwishOp>>(ctx, Activation::hardswish);
    patterns.add<FormGatedActivation>(ctx);
    patterns.add<FuseResidualAdd>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
