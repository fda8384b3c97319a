//===- PoolToLinalg.cpp - cnn pooling ops to linalg -----------------------===//
//
// Max pooling pads with -inf and uses linalg.pooling_nchw_max. Average
// pooling sums over zero padding with linalg.pooling_nchw_sum and divides by
// PyTorch's per-window divisor, computed at compile time (it depends on
// ceil_mode and count_include_pad only at the borders). With `nhwc` (-O2)
// the same in NHWC (pooling_nhwc_*), transposed at the edges like the convs:
// between convs the transposes cancel, and cnnc-vectorize-conv turns the
// pooling into channel vectors.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/LinalgBuilders.h"
#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnOps.h"

#include <limits>

using namespace mlir;
using namespace cnnc;

namespace {

/// Sliding-window pooling over `input` (NCHW) padded by `pad` = [t, l, b, r]
/// plus whatever ceil_mode's last window needs at the bottom/right. The
/// result is NHWC with `nhwc` (NchwOp/NhwcOp: the linalg pooling op of each
/// layout), NCHW otherwise.
template <typename NchwOp, typename NhwcOp>
Value pool(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
           ArrayRef<int64_t> pad, double padValue, double initValue,
           bool nhwc) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t high[2] = {pad[2], pad[3]};
  for (int i = 0; i < 2; ++i) {
    int64_t needed = (resultType.getDimSize(2 + i) - 1) * strides[i] +
                     kernel[i] - (inType.getDimSize(2 + i) + pad[i]);
    high[i] = std::max(high[i], needed);
  }
  NamedAttribute attrs[] = {
      b.getNamedAttr("strides", b.getI64TensorAttr(strides)),
      b.getNamedAttr("dilations", b.getI64TensorAttr({1, 1}))};
  Value window = tensor::EmptyOp::create(b, loc, kernel, b.getF32Type());
  if (nhwc) {
    Value padded =
        padTensor(b, loc, toNhwc(b, loc, input), {0, pad[0], pad[1], 0},
                  {0, high[0], high[1], 0}, padValue);
    RankedTensorType type = nhwcTypeOf(resultType);
    return NhwcOp::create(b, loc, type, ValueRange{padded, window},
                          filledTensor(b, loc, type, initValue), attrs)
        .getResult(0);
  }
  Value padded = padTensor(b, loc, input, {0, 0, pad[0], pad[1]},
                           {0, 0, high[0], high[1]}, padValue);
  return NchwOp::create(b, loc, resultType, ValueRange{padded, window},
                        filledTensor(b, loc, resultType, initValue), attrs)
      .getResult(0);
}

/// The patterns below, for one layout.
template <typename Op> struct PoolLowering : OpRewritePattern<Op> {
  PoolLowering(MLIRContext *ctx, bool nhwc)
      : OpRewritePattern<Op>(ctx), nhwc(nhwc) {}
  /// `value` (in the layout the pooling was computed in) as NCHW.
  Value toResult(OpBuilder &b, Location loc, Value value) const {
    return nhwc ? toNchw(b, loc, value) : value;
  }
  bool nhwc;
};

struct MaxPoolLowering : PoolLowering<cnn::MaxPool2dOp> {
  using PoolLowering::PoolLowering;

  LogicalResult matchAndRewrite(cnn::MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    double lowest = -std::numeric_limits<double>::infinity();
    Value max = pool<linalg::PoolingNchwMaxOp, linalg::PoolingNhwcMaxOp>(
        rewriter, op.getLoc(), op.getInput(), op.getType(), op.getKernel(),
        op.getStrides(), op.getPadding(), lowest, lowest, nhwc);
    rewriter.replaceOp(op, toResult(rewriter, op.getLoc(), max));
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

struct AvgPoolLowering : PoolLowering<cnn::AvgPool2dOp> {
  using PoolLowering::PoolLowering;

  LogicalResult matchAndRewrite(cnn::AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                      p = op.getPadding();
    Value sum = pool<linalg::PoolingNchwSumOp, linalg::PoolingNhwcSumOp>(
        rewriter, loc, op.getInput(), type, k, s, p, 0.0, 0.0, nhwc);
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
    int64_t h = nhwc ? 1 : 2;
    AffineMap maps[] = {
        rewriter.getMultiDimIdentityMap(4),
        AffineMap::get(4, 0,
                       {getAffineDimExpr(h, ctx), getAffineDimExpr(h + 1, ctx)},
                       ctx)};
    Value mean = elementwise(
        rewriter, loc, cast<RankedTensorType>(sum.getType()), {sum, scale},
        maps, [](OpBuilder &b, Location l, ValueRange v) -> Value {
          return arith::MulFOp::create(b, l, v[0], v[1]);
        });
    rewriter.replaceOp(op, toResult(rewriter, loc, mean));
    return success();
  }
};

struct GlobalAvgPoolLowering : PoolLowering<cnn::GlobalAvgPoolOp> {
  using PoolLowering::PoolLowering;

  LogicalResult matchAndRewrite(cnn::GlobalAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    int64_t h = inType.getDimSize(2), w = inType.getDimSize(3);
    Value sum = pool<linalg::PoolingNchwSumOp, linalg::PoolingNhwcSumOp>(
        rewriter, loc, op.getInput(), type, {h, w}, {1, 1}, {0, 0, 0, 0}, 0.0,
        0.0, nhwc);
    Value scale = f32Constant(rewriter, loc, 1.0 / static_cast<double>(h * w));
    Value mean =
        elementwise(rewriter, loc, cast<RankedTensorType>(sum.getType()), sum,
                    rewriter.getMultiDimIdentityMap(4),
                    [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                      return arith::MulFOp::create(b, l, v[0], scale);
                    });
    rewriter.replaceOp(op, toResult(rewriter, loc, mean));
    return success();
  }
};

} // namespace

void cnnc::populatePoolToLinalgPatterns(RewritePatternSet &patterns,
                                        bool nhwc) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, GlobalAvgPoolLowering>(
      patterns.getContext(), nhwc);
}
