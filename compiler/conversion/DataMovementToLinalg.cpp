//===- DataMovementToLinalg.cpp - weights, reshapes, slice, pad -----------===//

#include "compiler/conversion/LinalgBuilders.h"
#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace cnnc;

namespace {

/// Weights become plain constants; bufferization turns them into read-only
/// globals in the object file. They are stored flat (1-D) and reshaped: LLVM
/// builds one flat data array in microseconds, but a nested array constant
/// per dimension for a multi-dimensional global, which took seconds and
/// gigabytes for ResNet-18's 11M parameters.
struct WeightLowering : OpRewritePattern<cnn::WeightOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::WeightOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (type.getRank() <= 1) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, cast<TypedAttr>(op.getValue()));
      return success();
    }
    auto flatType =
        RankedTensorType::get({type.getNumElements()}, type.getElementType());
    TypedAttr flat;
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue()))
      flat = DenseResourceElementsAttr::get(flatType, resource.getRawHandle());
    else
      flat = cast<DenseElementsAttr>(op.getValue()).reshape(flatType);
    Value constant = arith::ConstantOp::create(rewriter, op.getLoc(), flat);
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, type, constant, ArrayRef<ReassociationIndices>{all});
    return success();
  }
};

struct FlattenLowering : OpRewritePattern<cnn::FlattenOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::FlattenOp op,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    if (inType == op.getType()) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    if (inType.getRank() == 1) { // [N] -> [N, 1]
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, op.getType(), op.getInput(),
          ArrayRef<ReassociationIndices>{{0, 1}});
      return success();
    }
    ReassociationIndices rest;
    for (int64_t d = 1; d < inType.getRank(); ++d)
      rest.push_back(d);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), op.getInput(),
        ArrayRef<ReassociationIndices>{{0}, rest});
    return success();
  }
};

/// A single collapse_shape or expand_shape where the shapes nest (squeeze,
/// unsqueeze, flatten); otherwise a collapse to 1-D and an expand.
struct ReshapeLowering : OpRewritePattern<cnn::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (inType == outType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    auto reshape = [&](Value v, RankedTensorType to) -> Value {
      auto from = cast<RankedTensorType>(v.getType());
      if (from == to)
        return v;
      std::optional<SmallVector<ReassociationIndices>> groups =
          getReassociationIndicesForReshape(from, to);
      if (!groups)
        return nullptr;
      if (from.getRank() > to.getRank())
        return tensor::CollapseShapeOp::create(rewriter, loc, to, v, *groups);
      return tensor::ExpandShapeOp::create(rewriter, loc, to, v, *groups);
    };
    if (Value direct = reshape(input, outType)) {
      rewriter.replaceOp(op, direct);
      return success();
    }
    auto flatType = RankedTensorType::get({inType.getNumElements()},
                                          inType.getElementType());
    rewriter.replaceOp(op, reshape(reshape(input, flatType), outType));
    return success();
  }
};

/// Constant padding is a tensor.pad; reflect and edge padding a generic
/// that reads the input at the mirrored or clamped index.
struct PadLowering : OpRewritePattern<cnn::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::PadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> low = op.getLow(), high = op.getHigh();
    if (op.getMode() == cnn::PadMode::constant) {
      rewriter.replaceOp(op, padTensor(rewriter, loc, op.getInput(), low, high,
                                       op.getValue().convertToDouble()));
      return success();
    }
    Value input = op.getInput();
    ArrayRef<int64_t> inShape =
        cast<RankedTensorType>(input.getType()).getShape();
    bool reflect = op.getMode() == cnn::PadMode::reflect;
    auto body = [&](OpBuilder &b, Location l, ValueRange) -> Value {
      auto index = [&](int64_t v) {
        return arith::ConstantIndexOp::create(b, l, v).getResult();
      };
      SmallVector<Value> indices;
      for (auto [d, size] : llvm::enumerate(inShape)) {
        Value i = linalg::IndexOp::create(b, l, d);
        if (low[d] == 0 && high[d] == 0) {
          indices.push_back(i);
          continue;
        }
        i = arith::SubIOp::create(b, l, i, index(low[d]));
        if (reflect) {
          // |i|, then mirrored at the last element: pads are below the size,
          // so one reflection on each side suffices.
          Value negated = arith::SubIOp::create(b, l, index(0), i);
          i = arith::MaxSIOp::create(b, l, i, negated);
          Value mirrored =
              arith::SubIOp::create(b, l, index(2 * (size - 1)), i);
          i = arith::MinSIOp::create(b, l, i, mirrored);
        } else {
          i = arith::MaxSIOp::create(
              b, l, arith::MinSIOp::create(b, l, i, index(size - 1)), index(0));
        }
        indices.push_back(i);
      }
      return tensor::ExtractOp::create(b, l, input, indices);
    };
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, ValueRange(), {}, body));
    return success();
  }
};

/// An op's result type and axis (both NCHW) in the layout it computes in.
std::pair<RankedTensorType, int64_t> inLayout(Type type, int64_t axis,
                                              bool nhwc) {
  auto ranked = cast<RankedTensorType>(type);
  if (!nhwc)
    return {ranked, axis};
  return {nhwcTypeOf(ranked), nhwcAxis(axis)};
}

/// Concatenation as insert_slice of each input into one destination.
struct ConcatLowering : OpRewritePattern<cnn::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto build = [&](ValueRange inputs, bool nhwc) -> Value {
      auto [type, axis] = inLayout(op.getType(), op.getAxis(), nhwc);
      Value result = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                             type.getElementType());
      int64_t offset = 0;
      for (Value input : inputs) {
        auto inType = cast<RankedTensorType>(input.getType());
        SmallVector<OpFoldResult> offsets(type.getRank(),
                                          rewriter.getIndexAttr(0));
        offsets[axis] = rewriter.getIndexAttr(offset);
        SmallVector<OpFoldResult> strides(type.getRank(),
                                          rewriter.getIndexAttr(1));
        result = tensor::InsertSliceOp::create(
            rewriter, loc, input, result, offsets,
            getAsIndexOpFoldResult(rewriter.getContext(), inType.getShape()),
            strides);
        offset += inType.getDimSize(axis);
      }
      return result;
    };
    rewriter.replaceOp(
        op, followProducerLayout(rewriter, loc, op.getInputs(), build));
    return success();
  }
};

/// A slice is a static tensor.extract_slice (bufferized as a subview copy).
struct SliceLowering : OpRewritePattern<cnn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::SliceOp op,
                                PatternRewriter &rewriter) const override {
    auto build = [&](ValueRange inputs, bool nhwc) -> Value {
      auto [type, axis] = inLayout(op.getType(), op.getAxis(), nhwc);
      int64_t rank = type.getRank();
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(op.getOffset());
      SmallVector<OpFoldResult> sizes =
          getAsIndexOpFoldResult(rewriter.getContext(), type.getShape());
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      return tensor::ExtractSliceOp::create(rewriter, op.getLoc(), type,
                                            inputs[0], offsets, sizes, strides)
          .getResult();
    };
    rewriter.replaceOp(
        op, followProducerLayout(rewriter, op.getLoc(), op.getInput(), build));
    return success();
  }
};

/// Nearest upsampling reads in[n, c, y floordiv sh, x floordiv sw] (NCHW)
/// or in[n, y floordiv sh, x floordiv sw, c] (NHWC, after an NHWC producer).
struct UpsampleLowering : OpRewritePattern<cnn::UpsampleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::UpsampleOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    ArrayRef<int64_t> scale = op.getScale();
    auto build = [&](ValueRange inputs, bool nhwc) {
      auto type = cast<RankedTensorType>(op.getType());
      if (nhwc)
        type = nhwcTypeOf(type);
      SmallVector<AffineExpr> exprs;
      for (int64_t d = 0; d < 4; ++d)
        exprs.push_back(getAffineDimExpr(d, ctx));
      int64_t h = nhwc ? 1 : 2;
      exprs[h] = exprs[h].floorDiv(scale[0]);
      exprs[h + 1] = exprs[h + 1].floorDiv(scale[1]);
      return elementwise(
          rewriter, op.getLoc(), type, inputs[0],
          AffineMap::get(4, 0, exprs, ctx),
          [](OpBuilder &, Location, ValueRange v) { return v[0]; });
    };
    rewriter.replaceOp(
        op, followProducerLayout(rewriter, op.getLoc(), op.getInput(), build));
    return success();
  }
};

} // namespace

void cnnc::populateDataMovementToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<FlattenLowering, ReshapeLowering, ConcatLowering, SliceLowering,
               UpsampleLowering, PadLowering>(patterns.getContext());
}

void cnnc::populateWeightToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<WeightLowering>(patterns.getContext());
}
