//===- LinalgBuilders.cpp - small helpers for the cnn lowering ------------===//

#include "compiler/conversion/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

Value cnnc::f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value cnnc::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                         double value) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::FillOp::create(b, loc, f32Constant(b, loc, value), empty)
      .getResult(0);
}

Value cnnc::padTensor(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                      double value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (auto [d, l, h] : llvm::zip_equal(type.getShape(), low, high))
    shape.push_back(d + l + h);
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(
      b, loc, paddedType, input, getAsIndexOpFoldResult(b.getContext(), low),
      getAsIndexOpFoldResult(b.getContext(), high), f32Constant(b, loc, value));
}

AffineMap cnnc::broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operand,
                             ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(operand))
    exprs.push_back(d == 1 && result[i] != 1 ? getAffineConstantExpr(0, ctx)
                                             : getAffineDimExpr(i, ctx));
  return AffineMap::get(result.size(), 0, exprs, ctx);
}

Value cnnc::elementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    ArrayRef<AffineMap> maps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> indexingMaps(maps);
  indexingMaps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, indexingMaps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args.drop_back()));
      });
  return generic.getResult(0);
}

static Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = cnnc::f32Constant(b, loc, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

/// x * tanh(softplus(x)) with one exp and no tanh: for n = e^x (e^x + 2),
/// tanh(log(1 + e^x)) = n / (n + 2). Above 20 the factor is 1 in f32 (and
/// n would overflow past 44); Darknet's softplus uses the same threshold.
static Value mish(OpBuilder &b, Location loc, Value x) {
  Value e = math::ExpOp::create(b, loc, x);
  Value n = arith::MulFOp::create(
      b, loc, e,
      arith::AddFOp::create(b, loc, e, cnnc::f32Constant(b, loc, 2)));
  Value factor = arith::DivFOp::create(
      b, loc, n,
      arith::AddFOp::create(b, loc, n, cnnc::f32Constant(b, loc, 2)));
  Value large = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                      cnnc::f32Constant(b, loc, 20.0));
  return arith::SelectOp::create(b, loc, large, x,
                                 arith::MulFOp::create(b, loc, x, factor));
}

Value cnnc::clampBelow(OpBuilder &b, Location loc, Value x, double low) {
  Value bound = f32Constant(b, loc, low);
  Value below =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, bound);
  return arith::SelectOp::create(b, loc, below, bound, x);
}

Value cnnc::clampAbove(OpBuilder &b, Location loc, Value x, double high) {
  Value bound = f32Constant(b, loc, high);
  Value above =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, bound);
  return arith::SelectOp::create(b, loc, above, bound, x);
}

Value cnnc::hardSigmoid(OpBuilder &b, Location loc, Value x, double alpha,
                        double beta) {
  Value linear = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, f32Constant(b, loc, alpha)),
      f32Constant(b, loc, beta));
  return clampBelow(b, loc, clampAbove(b, loc, linear, 1.0), 0.0);
}

Value cnnc::applyActivation(OpBuilder &b, Location loc,
                            cnn::Activation activation, double alpha, Value x) {
  switch (activation) {
  case cnn::Activation::none:
    return x;
  case cnn::Activation::relu:
    return clampBelow(b, loc, x, 0.0);
  case cnn::Activation::relu6:
    return clampAbove(b, loc, clampBelow(b, loc, x, 0.0), 6.0);
  case cnn::Activation::leaky_relu: {
    Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                           f32Constant(b, loc, 0.0));
    Value scaled = arith::MulFOp::create(b, loc, x, f32Constant(b, loc, alpha));
    return arith::SelectOp::create(b, loc, positive, x, scaled);
  }
  case cnn::Activation::sigmoid:
    return sigmoid(b, loc, x);
  case cnn::Activation::tanh:
    return math::TanhOp::create(b, loc, x);
  case cnn::Activation::silu:
    return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, x));
  case cnn::Activation::mish:
    return mish(b, loc, x);
  case cnn::Activation::hardswish:
    return arith::MulFOp::create(b, loc, x,
                                 hardSigmoid(b, loc, x, 1.0 / 6, 0.5));
  }
  llvm_unreachable("unknown activation");
}

Value cnnc::unaryFunction(OpBuilder &b, Location loc, cnn::UnaryFn fn,
                          double p0, double p1, Value x) {
  using Pred = arith::CmpFPredicate;
  auto c = [&](double v) { return f32Constant(b, loc, v); };
  auto add = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  auto sub = [&](Value l, Value r) -> Value {
    return arith::SubFOp::create(b, loc, l, r);
  };
  auto mul = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto div = [&](Value l, Value r) -> Value {
    return arith::DivFOp::create(b, loc, l, r);
  };
  auto select = [&](Pred pred, Value l, Value r, Value yes, Value no) -> Value {
    Value test = arith::CmpFOp::create(b, loc, pred, l, r);
    return arith::SelectOp::create(b, loc, test, yes, no);
  };
  auto exp = [&](Value v) -> Value { return math::ExpOp::create(b, loc, v); };
  auto abs = [&](Value v) -> Value { return math::AbsFOp::create(b, loc, v); };
  // x >= 0 ? x : alpha * (exp(x) - 1)
  auto elu = [&](double alpha) {
    return select(Pred::OGE, x, c(0), x, mul(c(alpha), sub(exp(x), c(1))));
  };
  switch (fn) {
  case cnn::UnaryFn::exp:
    return exp(x);
  case cnn::UnaryFn::log:
    return math::LogOp::create(b, loc, x);
  case cnn::UnaryFn::sqrt:
    return math::SqrtOp::create(b, loc, x);
  case cnn::UnaryFn::abs:
    return abs(x);
  case cnn::UnaryFn::neg:
    return arith::NegFOp::create(b, loc, x);
  case cnn::UnaryFn::reciprocal:
    return div(c(1), x);
  case cnn::UnaryFn::floor:
    return math::FloorOp::create(b, loc, x);
  case cnn::UnaryFn::ceil:
    return math::CeilOp::create(b, loc, x);
  case cnn::UnaryFn::round:
    return math::RoundEvenOp::create(b, loc, x);
  case cnn::UnaryFn::sign:
    return select(Pred::OGT, x, c(0), c(1),
                  select(Pred::OLT, x, c(0), c(-1), x));
  case cnn::UnaryFn::erf:
    return math::ErfOp::create(b, loc, x);
  case cnn::UnaryFn::sin:
    return math::SinOp::create(b, loc, x);
  case cnn::UnaryFn::cos:
    return math::CosOp::create(b, loc, x);
  case cnn::UnaryFn::tan:
    return math::TanOp::create(b, loc, x);
  case cnn::UnaryFn::asin:
    return math::AsinOp::create(b, loc, x);
  case cnn::UnaryFn::acos:
    return math::AcosOp::create(b, loc, x);
  case cnn::UnaryFn::atan:
    return math::AtanOp::create(b, loc, x);
  case cnn::UnaryFn::sinh:
    return math::SinhOp::create(b, loc, x);
  case cnn::UnaryFn::cosh:
    return math::CoshOp::create(b, loc, x);
  case cnn::UnaryFn::asinh:
    return math::AsinhOp::create(b, loc, x);
  case cnn::UnaryFn::acosh:
    return math::AcoshOp::create(b, loc, x);
  case cnn::UnaryFn::atanh:
    return math::AtanhOp::create(b, loc, x);
  case cnn::UnaryFn::softplus: // max(x, 0) + log(1 + exp(-|x|)): no overflow
    return add(clampBelow(b, loc, x, 0),
               math::Log1pOp::create(
                   b, loc, exp(arith::NegFOp::create(b, loc, abs(x)))));
  case cnn::UnaryFn::softsign:
    return div(x, add(c(1), abs(x)));
  case cnn::UnaryFn::elu:
    return elu(p0);
  case cnn::UnaryFn::selu:
    return mul(c(p1), elu(p0));
  case cnn::UnaryFn::celu: // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
    return add(
        clampBelow(b, loc, x, 0),
        clampAbove(b, loc, mul(c(p0), sub(exp(div(x, c(p0))), c(1))), 0));
  case cnn::UnaryFn::thresholded_relu:
    return select(Pred::OGT, x, c(p0), x, c(0));
  case cnn::UnaryFn::shrink:
    return select(Pred::OLT, x, c(-p1), add(x, c(p0)),
                  select(Pred::OGT, x, c(p1), sub(x, c(p0)), c(0)));
  case cnn::UnaryFn::pow:
    if (p0 == 1)
      return x;
    if (p0 == 2)
      return mul(x, x);
    if (p0 == 3)
      return mul(mul(x, x), x);
    if (p0 == 0.5)
      return math::SqrtOp::create(b, loc, x);
    if (p0 == -1)
      return div(c(1), x);
    return math::PowFOp::create(b, loc, x, c(p0));
  case cnn::UnaryFn::gelu_tanh: { // x/2 * (1 + tanh(sqrt(2/pi) (x + k x^3)))
    Value inner =
        mul(c(0.7978845608028654), add(x, mul(c(0.044715), mul(mul(x, x), x))));
    return mul(mul(c(0.5), x), add(c(1), math::TanhOp::create(b, loc, inner)));
  }
  case cnn::UnaryFn::hard_mish:
    return select(
        Pred::OGT, x, c(0), x,
        select(Pred::OGT, x, c(-2), add(mul(mul(x, x), c(0.5)), x), c(0)));
  case cnn::UnaryFn::loggy: // 2 / (1 + exp(-x)) - 1
    return sub(div(c(2), add(c(1), exp(arith::NegFOp::create(b, loc, x)))),
               c(1));
  case cnn::UnaryFn::ramp:
    return add(clampBelow(b, loc, x, 0), mul(c(0.1), x));
  case cnn::UnaryFn::plse:
    return select(Pred::OLT, x, c(-4), mul(c(0.01), add(x, c(4))),
                  select(Pred::OGT, x, c(4),
                         add(mul(c(0.01), sub(x, c(4))), c(1)),
                         add(mul(c(0.125), x), c(0.5))));
  case cnn::UnaryFn::lhtan:
    return select(
        Pred::OLT, x, c(0), mul(c(0.001), x),
        select(Pred::OGT, x, c(1), add(mul(c(0.001), sub(x, c(1))), c(1)), x));
  case cnn::UnaryFn::stair: { // floor(x)even ? floor(x/2) : x - floor(x) +
                              // floor(x/2)
    auto floor = [&](Value v) -> Value {
      return math::FloorOp::create(b, loc, v);
    };
    Value n = floor(x), half = floor(mul(x, c(0.5)));
    Value odd = sub(n, mul(c(2), floor(mul(n, c(0.5)))));
    return select(Pred::OEQ, odd, c(0), half, add(sub(x, n), half));
  }
  case cnn::UnaryFn::affine:
    return add(mul(c(p0), x), c(p1));
  case cnn::UnaryFn::binarize:
    return select(Pred::OGT, x, c(0), c(1), c(-1));
  }
  llvm_unreachable("unknown unary function");
}

constexpr int64_t kToNhwc[] = {0, 2, 3, 1}, kToNchw[] = {0, 3, 1, 2};

Value cnnc::transpose(OpBuilder &b, Location loc, Value value,
                      ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init, perm).getResult()[0];
}

Value cnnc::toNhwc(OpBuilder &b, Location loc, Value nchw) {
  return transpose(b, loc, nchw, kToNhwc);
}

Value cnnc::toNchw(OpBuilder &b, Location loc, Value nhwc) {
  return transpose(b, loc, nhwc, kToNchw);
}

RankedTensorType cnnc::nhwcTypeOf(RankedTensorType type) {
  return RankedTensorType::get({type.getDimSize(0), type.getDimSize(2),
                                type.getDimSize(3), type.getDimSize(1)},
                               type.getElementType());
}

int64_t cnnc::nhwcAxis(int64_t axis) { return kToNchw[axis]; }

bool cnnc::isNchwOfNhwc(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  return transpose && transpose.getPermutation() == ArrayRef<int64_t>(kToNchw);
}

Value cnnc::followProducerLayout(OpBuilder &b, Location loc, ValueRange inputs,
                                 function_ref<Value(ValueRange, bool)> build) {
  auto is4d = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getRank() == 4;
  };
  if (!llvm::all_of(inputs, is4d) || !llvm::any_of(inputs, isNchwOfNhwc))
    return build(inputs, false);
  SmallVector<Value> nhwc;
  for (Value input : inputs)
    nhwc.push_back(toNhwc(b, loc, input));
  return toNchw(b, loc, build(nhwc, true));
}
