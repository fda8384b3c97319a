//===- ElementwiseToLinalg.cpp - activations, binary ops, batchnorm, softmax //
//
// Each becomes an all-parallel linalg.generic (softmax: two reductions and
// one generic), with numpy broadcasting expressed in the indexing maps.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/LinalgBuilders.h"
#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnOps.h"

#include <functional>
#include <limits>

using namespace mlir;
using namespace cnnc;

namespace {

using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// `fn` applied to each element of `input`, in its producer's layout.
Value map(OpBuilder &b, Location loc, Value input,
          function_ref<Value(OpBuilder &, Location, Value)> fn) {
  return followProducerLayout(b, loc, input, [&](ValueRange in, bool) {
    auto type = cast<RankedTensorType>(in[0].getType());
    return elementwise(b, loc, type, in[0],
                       b.getMultiDimIdentityMap(type.getRank()),
                       [&](OpBuilder &nb, Location l, ValueRange v) {
                         return fn(nb, l, v[0]);
                       });
  });
}

/// An activation op as one generic applying that activation.
template <typename OpTy> struct ActivationLowering : OpRewritePattern<OpTy> {
  ActivationLowering(MLIRContext *ctx, cnn::Activation activation)
      : OpRewritePattern<OpTy>(ctx), activation(activation) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    double alpha = 0;
    if constexpr (std::is_same_v<OpTy, cnn::LeakyReluOp>)
      alpha = op.getAlpha().convertToDouble();
    rewriter.replaceOp(op, map(rewriter, op.getLoc(), op.getInput(),
                               [&](OpBuilder &b, Location l, Value x) {
                                 return applyActivation(b, l, activation, alpha,
                                                        x);
                               }));
    return success();
  }
  cnn::Activation activation;
};

/// Activations with their own parameters (hardsigmoid, clip) and cnn.unary:
/// one generic applying `fn` to each element.
template <typename OpTy> struct UnaryLowering : OpRewritePattern<OpTy> {
  using Fn = std::function<Value(OpBuilder &, Location, OpTy, Value)>;
  UnaryLowering(MLIRContext *ctx, Fn fn)
      : OpRewritePattern<OpTy>(ctx), fn(std::move(fn)) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, map(rewriter, op.getLoc(), op.getInput(),
                               [&](OpBuilder &b, Location l, Value x) {
                                 return fn(b, l, op, x);
                               }));
    return success();
  }
  Fn fn;
};

template <typename OpTy> struct BinaryLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto shape = [](Value v) {
      return cast<RankedTensorType>(v.getType()).getShape();
    };
    auto body = [](OpBuilder &b, Location l, ValueRange v) -> Value {
      if constexpr (std::is_same_v<OpTy, cnn::AddOp>)
        return arith::AddFOp::create(b, l, v[0], v[1]);
      else if constexpr (std::is_same_v<OpTy, cnn::SubOp>)
        return arith::SubFOp::create(b, l, v[0], v[1]);
      else if constexpr (std::is_same_v<OpTy, cnn::MulOp>)
        return arith::MulFOp::create(b, l, v[0], v[1]);
      else if constexpr (std::is_same_v<OpTy, cnn::DivOp>)
        return arith::DivFOp::create(b, l, v[0], v[1]);
      else if constexpr (std::is_same_v<OpTy, cnn::PowOp>)
        return math::PowFOp::create(b, l, v[0], v[1]);
      else if constexpr (std::is_same_v<OpTy, cnn::MaxOp>)
        return arith::MaximumFOp::create(b, l, v[0], v[1]);
      else
        return arith::MinimumFOp::create(b, l, v[0], v[1]);
    };
    rewriter.replaceOp(
        op, followProducerLayout(
                rewriter, loc, {op.getLhs(), op.getRhs()},
                [&](ValueRange in, bool nhwc) {
                  auto type = cast<RankedTensorType>(op.getType());
                  if (nhwc)
                    type = nhwcTypeOf(type);
                  AffineMap maps[] = {
                      broadcastMap(ctx, shape(in[0]), type.getShape()),
                      broadcastMap(ctx, shape(in[1]), type.getShape())};
                  return elementwise(rewriter, loc, type, in, maps, body);
                }));
    return success();
  }
};

/// y = (x - mean[c]) * gamma[c] / sqrt(var[c] + eps) + beta[c]. At -O2 the
/// per-channel part folds at compile time (cnn-fold-batchnorm, later).
struct BatchNormLowering : OpRewritePattern<cnn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    AffineMap maps[] = {rewriter.getMultiDimIdentityMap(rank), channel, channel,
                        channel, channel};
    double eps = op.getEpsilon().convertToDouble();
    rewriter.replaceOp(
        op,
        elementwise(
            rewriter, op.getLoc(), type,
            {op.getInput(), op.getGamma(), op.getBeta(), op.getMean(),
             op.getVariance()},
            maps, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
              Value std = math::SqrtOp::create(
                  b, l,
                  arith::AddFOp::create(b, l, v[4], f32Constant(b, l, eps)));
              Value centred = arith::SubFOp::create(b, l, v[0], v[3]);
              Value scaled = arith::DivFOp::create(
                  b, l, arith::MulFOp::create(b, l, centred, v[1]), std);
              return arith::AddFOp::create(b, l, scaled, v[2]);
            }));
    return success();
  }
};

/// softmax(x)[i] = exp(x[i] - max) / sum_j exp(x[j] - max) along the axis.
struct SoftmaxLowering : OpRewritePattern<cnn::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<int64_t> reducedShape(type.getShape());
    reducedShape[axis] = 1;
    auto reducedType =
        RankedTensorType::get(reducedShape, type.getElementType());
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = broadcastMap(ctx, reducedShape, type.getShape());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;

    auto reduce = [&](ValueRange ins, ArrayRef<AffineMap> inMaps, double init,
                      ScalarFn combine) {
      SmallVector<AffineMap> maps(inMaps);
      maps.push_back(reduced);
      return linalg::GenericOp::create(
                 rewriter, loc, reducedType, ins,
                 filledTensor(rewriter, loc, reducedType, init), maps,
                 iterators,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l, combine(b, l, args));
                 })
          .getResult(0);
    };
    Value x = op.getInput();
    Value max = reduce(x, identity, -std::numeric_limits<double>::infinity(),
                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                         return arith::MaximumFOp::create(b, l, v[0], v[1]);
                       });
    auto expShifted = [](OpBuilder &b, Location l, Value x, Value m) -> Value {
      return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, x, m));
    };
    Value sum = reduce({x, max}, {identity, reduced}, 0.0,
                       [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                         return arith::AddFOp::create(
                             b, l, expShifted(b, l, v[0], v[1]), v[2]);
                       });
    AffineMap maps[] = {identity, reduced, reduced};
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {x, max, sum}, maps,
                        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                          return arith::DivFOp::create(
                              b, l, expShifted(b, l, v[0], v[1]), v[2]);
                        }));
    return success();
  }
};

} // namespace

void cnnc::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  using cnn::Activation;
  patterns.add<ActivationLowering<cnn::ReluOp>>(ctx, Activation::relu);
  patterns.add<ActivationLowering<cnn::Relu6Op>>(ctx, Activation::relu6);
  patterns.add<ActivationLowering<cnn::LeakyReluOp>>(ctx,
                                                     Activation::leaky_relu);
  patterns.add<ActivationLowering<cnn::SigmoidOp>>(ctx, Activation::sigmoid);
  patterns.add<ActivationLowering<cnn::TanhOp>>(ctx, Activation::tanh);
  patterns.add<ActivationLowering<cnn::SiluOp>>(ctx, Activation::silu);
  patterns.add<ActivationLowering<cnn::MishOp>>(ctx, Activation::mish);
  patterns.add<ActivationLowering<cnn::HardSwishOp>>(ctx,
                                                     Activation::hardswish);
  patterns.add<UnaryLowering<cnn::HardSigmoidOp>>(
      ctx, [](OpBuilder &b, Location l, cnn::HardSigmoidOp op, Value x) {
        return hardSigmoid(b, l, x, op.getAlpha().convertToDouble(),
                           op.getBeta().convertToDouble());
      });
  patterns.add<UnaryLowering<cnn::ClipOp>>(
      ctx, [](OpBuilder &b, Location l, cnn::ClipOp op, Value x) -> Value {
        if (std::optional<llvm::APFloat> min = op.getMin())
          x = clampBelow(b, l, x, min->convertToDouble());
        if (std::optional<llvm::APFloat> max = op.getMax())
          x = clampAbove(b, l, x, max->convertToDouble());
        return x;
      });
  patterns.add<UnaryLowering<cnn::UnaryOp>>(
      ctx, [](OpBuilder &b, Location l, cnn::UnaryOp op, Value x) {
        return unaryFunction(b, l, op.getFn(), op.getP0().convertToDouble(),
                             op.getP1().convertToDouble(), x);
      });
  patterns.add<BinaryLowering<cnn::AddOp>, BinaryLowering<cnn::SubOp>,
               BinaryLowering<cnn::MulOp>, BinaryLowering<cnn::DivOp>,
               BinaryLowering<cnn::PowOp>, BinaryLowering<cnn::MaxOp>,
               BinaryLowering<cnn::MinOp>,
               BatchNormLowering, SoftmaxLowering>(ctx);
}
