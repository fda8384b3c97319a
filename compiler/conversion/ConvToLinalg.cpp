//===- ConvToLinalg.cpp - cnn.conv2d and cnn.dense to linalg --------------===//
//
// conv2d: zero padding with tensor.pad, the bias broadcast into the
// accumulator, then linalg.conv_2d_nchw_fchw (groups == 1) or
// linalg.conv_2d_ngchw_gfchw on group-split views (groups > 1, depthwise
// included). dense: linalg.matmul with a transposed weight ([out, in], as in
// PyTorch).
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/LinalgBuilders.h"
#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnOps.h"

using namespace mlir;
using namespace cnnc;

namespace {

/// The accumulator a conv or matmul starts from: the bias broadcast over the
/// other dimensions, or zeros.
Value initialAccumulator(OpBuilder &b, Location loc, RankedTensorType type,
                         Value bias, int64_t biasDim) {
  if (!bias)
    return filledTensor(b, loc, type, 0.0);
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != biasDim)
      dims.push_back(d);
  return linalg::BroadcastOp::create(b, loc, bias, empty, dims).getResult()[0];
}

/// The fused epilogue: activation(result + residual), as one generic; the
/// result itself when there is nothing to apply.
Value epilogue(OpBuilder &b, Location loc, Value result, Value residual,
               cnn::Activation activation, double alpha) {
  if (!residual && activation == cnn::Activation::none)
    return result;
  auto type = cast<RankedTensorType>(result.getType());
  SmallVector<Value> inputs = {result};
  if (residual)
    inputs.push_back(residual);
  SmallVector<AffineMap> maps(inputs.size(),
                              b.getMultiDimIdentityMap(type.getRank()));
  return elementwise(b, loc, type, inputs, maps,
                     [&](OpBuilder &nb, Location l, ValueRange v) {
                       Value x = v[0];
                       if (residual)
                         x = arith::AddFOp::create(nb, l, x, v[1]);
                       return applyActivation(nb, l, activation, alpha, x);
                     });
}

struct Conv2dLowering : OpRewritePattern<cnn::Conv2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::Conv2dOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> pad = op.getPadding();
    Value input =
        padTensor(rewriter, loc, op.getInput(), {0, 0, pad[0], pad[1]},
                  {0, 0, pad[2], pad[3]}, 0.0);
    Value acc = initialAccumulator(rewriter, loc, resultType, op.getBias(), 1);
    auto attr = [&](ArrayRef<int64_t> v) {
      return rewriter.getI64TensorAttr(v);
    };
    NamedAttribute attrs[] = {
        rewriter.getNamedAttr("strides", attr(op.getStrides())),
        rewriter.getNamedAttr("dilations", attr(op.getDilations()))};

    int64_t groups = op.getGroups();
    auto finish = [&](Value conv) {
      rewriter.replaceOp(op, epilogue(rewriter, loc, conv, op.getResidual(),
                                      op.getActivation(),
                                      op.getAlpha().convertToDouble()));
      return success();
    };
    if (groups == 1)
      return finish(linalg::Conv2DNchwFchwOp::create(
                        rewriter, loc, resultType,
                        ValueRange{input, op.getWeight()}, acc, attrs)
                        .getResult(0));
    // Split channels into [G, C/G]: input N,G,C/G,H,W; weight G,F/G,C/G,KH,KW;
    // result N,G,F/G,OH,OW.
    auto split = [&](Value v, int64_t dim) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[dim] /= groups;
      shape.insert(shape.begin() + dim, groups);
      SmallVector<ReassociationIndices> reassoc;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (d == dim)
          reassoc.push_back({d, d + 1});
        else
          reassoc.push_back({d < dim ? d : d + 1});
      }
      return tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, type.getElementType()), v,
          reassoc);
    };
    Value groupedInput = split(input, 1);
    Value groupedWeight = split(op.getWeight(), 0);
    auto groupedAcc = split(acc, 1);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, groupedAcc.getType(),
        ValueRange{groupedInput, groupedWeight}, groupedAcc.getResult(), attrs);
    return finish(tensor::CollapseShapeOp::create(
        rewriter, loc, resultType, conv.getResult(0),
        groupedAcc.getReassociationIndices()));
  }
};

struct DenseLowering : OpRewritePattern<cnn::DenseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::DenseOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value acc =
        initialAccumulator(rewriter, op.getLoc(), resultType, op.getBias(), 1);
    Value matmul = linalg::MatmulTransposeBOp::create(
                       rewriter, op.getLoc(), resultType,
                       ValueRange{op.getInput(), op.getWeight()}, acc)
                       .getResult(0);
    rewriter.replaceOp(op, epilogue(rewriter, op.getLoc(), matmul, Value(),
                                    op.getActivation(),
                                    op.getAlpha().convertToDouble()));
    return success();
  }
};

} // namespace

void cnnc::populateConvToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dLowering, DenseLowering>(patterns.getContext());
}
