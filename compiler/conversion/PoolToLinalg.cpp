//===- PoolToLinalg.cpp - cnn pooling ops to linalg -----------------------===//
//
// Max pooling pads with -inf and uses linalg.pooling_nchw_max. Average
// pooling sums over zero padding with linalg.pooling_nchw_sum and divides by
// PyTorch's per-window divisor, computed at compile time (it depends on
// ceil_mode and count_include_pad only at the borders).
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/LinalgBuilders.h"
#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnOps.h"

#include <limits>

using namespace mlir;
using namespace cnnc;

namespace {

/// Sliding-window pooling over `input` padded by `pad` = [t, l, b, r] plus
/// whatever ceil_mode's last window needs at the bottom/right.
template <typename PoolOp>
Value pool(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
           ArrayRef<int64_t> pad, double padValue, double initValue) {
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t, 4> high = {0, 0, pad[2], pad[3]};
  for (int i = 0; i < 2; ++i) {
    int64_t needed = (resultType.getDimSize(2 + i) - 1) * strides[i] +
                     kernel[i] - (inType.getDimSize(2 + i) + pad[i]);
    high[2 + i] = std::max(high[2 + i], needed);
  }
  Value padded =
      padTensor(b, loc, input, {0, 0, pad[0], pad[1]}, high, padValue);
  Value window = tensor::EmptyOp::create(b, loc, kernel, b.getF32Type());
  Value acc = filledTensor(b, loc, resultType, initValue);
  NamedAttribute attrs[] = {
      b.getNamedAttr("strides", b.getI64TensorAttr(strides)),
      b.getNamedAttr("dilations", b.getI64TensorAttr({1, 1}))};
  return PoolOp::create(b, loc, resultType, ValueRange{padded, window}, acc,
                        attrs)
      .getResult(0);
}

struct MaxPoolLowering : OpRewritePattern<cnn::MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    double lowest = -std::numeric_limits<double>::infinity();
    rewriter.replaceOp(op, pool<linalg::PoolingNchwMaxOp>(
                               rewriter, op.getLoc(), op.getInput(),
                               op.getType(), op.getKernel(), op.getStrides(),
                               op.getPadding(), lowest, lowest));
    return success();
  }
};

/// PyTorch's divisor for each output row (or column): the window clipped to
/// the padded input, or to the input itself without count_include_pad.
SmallVector<int64_t> divisors(int64_t out, int64_t in, int64_t k, int64_t s,
                              int64_t padBegin, int64_t padEnd, bool countPad) {
  SmallVector<int64_t> result;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - padBegin;
    int64_t end = std::min(start + k, in + padEnd);
    if (!countPad) {
      start = std::max<int64_t>(start, 0);
      end = std::min(end, in);
    }
    result.push_back(end - start);
  }
  return result;
}

struct AvgPoolLowering : OpRewritePattern<cnn::AvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                      p = op.getPadding();
    Value sum = pool<linalg::PoolingNchwSumOp>(rewriter, loc, op.getInput(),
                                               type, k, s, p, 0.0, 0.0);
    SmallVector<int64_t> rows =
        divisors(type.getDimSize(2), inType.getDimSize(2), k[0], s[0], p[0],
                 p[2], op.getCountIncludePad());
    SmallVector<int64_t> cols =
        divisors(type.getDimSize(3), inType.getDimSize(3), k[1], s[1], p[1],
                 p[3], op.getCountIncludePad());
    std::vector<float> reciprocal;
    for (int64_t r : rows)
      for (int64_t c : cols)
        reciprocal.push_back(1.0f / static_cast<float>(r * c));
    auto divType = RankedTensorType::get(
        {type.getDimSize(2), type.getDimSize(3)}, rewriter.getF32Type());
    Value scale = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(divType, ArrayRef<float>(reciprocal)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap maps[] = {
        rewriter.getMultiDimIdentityMap(4),
        AffineMap::get(
            4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx)};
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {sum, scale}, maps,
                        [](OpBuilder &b, Location l, ValueRange v) -> Value {
                          return arith::MulFOp::create(b, l, v[0], v[1]);
                        }));
    return success();
  }
};

struct GlobalAvgPoolLowering : OpRewritePattern<cnn::GlobalAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::GlobalAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    int64_t h = inType.getDimSize(2), w = inType.getDimSize(3);
    Value sum =
        pool<linalg::PoolingNchwSumOp>(rewriter, loc, op.getInput(), type,
                                       {h, w}, {1, 1}, {0, 0, 0, 0}, 0.0, 0.0);
    Value scale = f32Constant(rewriter, loc, 1.0 / static_cast<double>(h * w));
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, sum,
                        rewriter.getMultiDimIdentityMap(4),
                        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                          return arith::MulFOp::create(b, l, v[0], scale);
                        }));
    return success();
  }
};

} // namespace

void cnnc::populatePoolToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, GlobalAvgPoolLowering>(
      patterns.getContext());
}
