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
