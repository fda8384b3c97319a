//===- ElementwiseToLinalg.cpp - elementwise ops, softmax, reductions -----===//
//
// Each becomes an all-parallel linalg.generic (softmax: two reductions and
// one generic; reductions: a reducing generic and a finishing one), with
// numpy broadcasting expressed in the indexing maps.
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

/// A linalg.generic reducing `ins` (read through `inMaps`), from `init`:
/// the dimensions at `axes` (increasing) are reduction iterators. The result
/// keeps them as 1s (`reducedType`), expanded from the generic's result
/// without them (a result indexed by a projection of the loops, which
/// linalg's vectorizer expects of a reduction).
Value reduceInto(OpBuilder &b, Location loc, RankedTensorType reducedType,
                 ArrayRef<int64_t> fullShape, ArrayRef<int64_t> axes,
                 ValueRange ins, ArrayRef<AffineMap> inMaps, double init,
                 ScalarFn combine) {
  MLIRContext *ctx = b.getContext();
  SmallVector<utils::IteratorType> iterators(fullShape.size(),
                                             utils::IteratorType::parallel);
  SmallVector<int64_t> keptShape;
  SmallVector<AffineExpr> kept;
  // Each kept dimension with the reduced ones after it (and, for the first,
  // before it) is one group of the expansion.
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t d = 0, rank = fullShape.size(); d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      iterators[d] = utils::IteratorType::reduction;
      (groups.empty() ? leading : groups.back()).push_back(d);
      continue;
    }
    keptShape.push_back(fullShape[d]);
    kept.push_back(getAffineDimExpr(d, ctx));
    groups.push_back(leading);
    groups.back().push_back(d);
    leading.clear();
  }
  auto keptType =
      RankedTensorType::get(keptShape, reducedType.getElementType());
  SmallVector<AffineMap> maps(inMaps);
  maps.push_back(AffineMap::get(fullShape.size(), 0, kept, ctx));
  Value result = linalg::GenericOp::create(
                     b, loc, keptType, ins,
                     filledTensor(b, loc, keptType, init), maps, iterators,
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       linalg::YieldOp::create(nb, l, combine(nb, l, args));
                     })
                     .getResult(0);
  return tensor::ExpandShapeOp::create(b, loc, reducedType, result, groups);
}

/// softmax(x)[i] = exp(x[i] - max) / sum_j exp(x[j] - max) along the axis;
/// its log: x[i] - max - log(sum).
struct SoftmaxLowering : OpRewritePattern<cnn::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    SmallVector<int64_t> reducedShape(type.getShape());
    reducedShape[axis] = 1;
    auto reducedType =
        RankedTensorType::get(reducedShape, type.getElementType());
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced =
        broadcastMap(rewriter.getContext(), reducedShape, type.getShape());
    auto reduce = [&](ValueRange ins, ArrayRef<AffineMap> inMaps, double init,
                      ScalarFn combine) {
      return reduceInto(rewriter, loc, reducedType, type.getShape(), {axis},
                        ins, inMaps, init, combine);
    };
    Value x = op.getInput();
    Value max = reduce(x, identity, -std::numeric_limits<double>::infinity(),
                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                         return arith::MaximumFOp::create(b, l, v[0], v[1]);
                       });
    auto shifted = [](OpBuilder &b, Location l, Value x, Value m) -> Value {
      return arith::SubFOp::create(b, l, x, m);
    };
    Value sum = reduce(
        {x, max}, {identity, reduced}, 0.0,
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          return arith::AddFOp::create(
              b, l, math::ExpOp::create(b, l, shifted(b, l, v[0], v[1])), v[2]);
        });
    AffineMap maps[] = {identity, reduced, reduced};
    bool log = op.getLog();
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {x, max, sum}, maps,
                        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                          Value s = shifted(b, l, v[0], v[1]);
                          if (log)
                            return arith::SubFOp::create(
                                b, l, s, math::LogOp::create(b, l, v[2]));
                          return arith::DivFOp::create(
                              b, l, math::ExpOp::create(b, l, s), v[2]);
                        }));
    return success();
  }
};

/// cnn.reduce: one generic accumulating f(x) over the axes (after one taking
/// the maximum, for log_sum_exp), then one finishing each result (mean: a
/// division by the count, l2: a square root, log_*: a logarithm).
struct ReduceLowering : OpRewritePattern<cnn::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    using K = cnn::ReduceKind;
    Location loc = op.getLoc();
    K kind = op.getKind();
    RankedTensorType type = op.getType(), inType = op.getInput().getType();
    ArrayRef<int64_t> axes = op.getAxes();
    AffineMap identity = rewriter.getMultiDimIdentityMap(inType.getRank());
    AffineMap reduced =
        broadcastMap(rewriter.getContext(), type.getShape(), inType.getShape());
    const double inf = std::numeric_limits<double>::infinity();
    Value x = op.getInput(), max;
    if (kind == K::log_sum_exp)
      max =
          reduceInto(rewriter, loc, type, inType.getShape(), axes, x, identity,
                     -inf, [](OpBuilder &b, Location l, ValueRange v) -> Value {
                       return arith::MaximumFOp::create(b, l, v[0], v[1]);
                     });
    double init = kind == K::max    ? -inf
                  : kind == K::min  ? inf
                  : kind == K::prod ? 1.0
                                    : 0.0;
    SmallVector<Value> ins = {x};
    SmallVector<AffineMap> maps = {identity};
    if (max) {
      ins.push_back(max);
      maps.push_back(reduced);
    }
    Value acc = reduceInto(
        rewriter, loc, type, inType.getShape(), axes, ins, maps, init,
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          Value e = v[0], a = v.back();
          switch (kind) {
          case K::max:
            return arith::MaximumFOp::create(b, l, a, e);
          case K::min:
            return arith::MinimumFOp::create(b, l, a, e);
          case K::prod:
            return arith::MulFOp::create(b, l, a, e);
          case K::l1:
            e = math::AbsFOp::create(b, l, e);
            break;
          case K::l2:
          case K::sum_square:
            e = arith::MulFOp::create(b, l, e, e);
            break;
          case K::log_sum_exp:
            e = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, e, v[1]));
            break;
          default:
            break;
          }
          return arith::AddFOp::create(b, l, a, e);
        });
    int64_t count = inType.getNumElements() / type.getNumElements();
    AffineMap out = rewriter.getMultiDimIdentityMap(type.getRank());
    auto finish = [&](ScalarFn fn) {
      SmallVector<Value> operands = {acc};
      if (max)
        operands.push_back(max);
      SmallVector<AffineMap> outMaps(operands.size(), out);
      return elementwise(rewriter, loc, type, operands, outMaps, fn);
    };
    switch (kind) {
    case K::mean:
      acc = finish([&](OpBuilder &b, Location l, ValueRange v) -> Value {
        return arith::DivFOp::create(b, l, v[0],
                                     f32Constant(b, l, double(count)));
      });
      break;
    case K::l2:
      acc = finish([](OpBuilder &b, Location l, ValueRange v) -> Value {
        return math::SqrtOp::create(b, l, v[0]);
      });
      break;
    case K::log_sum:
      acc = finish([](OpBuilder &b, Location l, ValueRange v) -> Value {
        return math::LogOp::create(b, l, v[0]);
      });
      break;
    case K::log_sum_exp:
      acc = finish([](OpBuilder &b, Location l, ValueRange v) -> Value {
        return arith::AddFOp::create(b, l, v[1],
                                     math::LogOp::create(b, l, v[0]));
      });
      break;
    default:
      break;
    }
    rewriter.replaceOp(op, acc);
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
               BinaryLowering<cnn::MinOp>, BatchNormLowering, SoftmaxLowering,
               ReduceLowering>(ctx);
}
