//===- DataMovementToLinalg.cpp - weights, reshapes, slice, pad -----------===//

#include "compiler/conversion/LinalgBuilders.h"
#include "compiler/conversion/Passes.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnResize.h"
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

/// A channel shuffle (ShuffleNet): a reshape splitting the channels of a
/// 4-D NCHW tensor into [a, b], a transpose to [b, a] and a reshape back.
/// After an NHWC producer it is one transpose of the NHWC tensor's channel
/// row viewed as [a, b]; through NCHW it would cost three copies.
struct ChannelShuffleLowering : OpRewritePattern<cnn::ReshapeOp> {
  ChannelShuffleLowering(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(cnn::ReshapeOp split,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> in = split.getInput().getType().getShape(),
                      grouped = split.getType().getShape();
    if (in.size() != 4 || grouped.size() != 5 || grouped[0] != in[0] ||
        grouped[3] != in[2] || grouped[4] != in[3] ||
        !isNchwOfNhwc(split.getInput()) || !split->hasOneUse())
      return failure();
    auto transpose = dyn_cast<cnn::TransposeOp>(*split->user_begin());
    if (!transpose || transpose.getPerm() != ArrayRef<int64_t>{0, 2, 1, 3, 4} ||
        !transpose->hasOneUse())
      return failure();
    auto merge = dyn_cast<cnn::ReshapeOp>(*transpose->user_begin());
    if (!merge || merge.getType() != split.getInput().getType())
      return failure();
    Location loc = split.getLoc();
    Value nhwc = toNhwc(rewriter, loc, split.getInput());
    auto nhwcType = cast<RankedTensorType>(nhwc.getType());
    auto rows =
        RankedTensorType::get({in[0], in[2], in[3], grouped[1], grouped[2]},
                              nhwcType.getElementType());
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, rows, nhwc,
        ArrayRef<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
    Value shuffled = cnnc::transpose(rewriter, loc, expanded, {0, 1, 2, 4, 3});
    Value collapsed = tensor::CollapseShapeOp::create(
        rewriter, loc, nhwcType, shuffled,
        ArrayRef<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
    rewriter.replaceOp(merge, toNchw(rewriter, loc, collapsed));
    rewriter.eraseOp(transpose);
    rewriter.eraseOp(split);
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

/// A linalg.transpose; after an NHWC producer, canonicalisation composes it
/// with the producer's transpose to NCHW (one copy, or none).
struct TransposeLowering : OpRewritePattern<cnn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, transpose(rewriter, op.getLoc(), op.getInput(), op.getPerm()));
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

/// Resizing reads each output element's taps (input rows and columns with
/// their weights, constant tables per axis) with tensor.extract and sums
/// them. After an NHWC producer the channels are innermost and each tap is
/// a contiguous read, which cnnc-vectorize-resample vectorises (the
/// generic is tagged `cnnc.resample`).
struct ResizeLowering : OpRewritePattern<cnn::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> in = op.getInput().getType().getShape(),
                      out = op.getType().getShape();
    cnn::ResizeTaps taps[2] = {
        cnn::resizeTaps(op, in[2], out[2], op.getScale()[0]),
        cnn::resizeTaps(op, in[3], out[3], op.getScale()[1])};
    // Per axis: the input positions (index) and weights (f32) of the taps.
    Value index[2], weight[2];
    for (int a = 0; a < 2; ++a) {
      int64_t n = taps[a].index.size();
      index[a] = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({n}, rewriter.getIndexType()),
              llvm::to_vector(
                  llvm::map_range(taps[a].index, [&](int64_t i) -> Attribute {
                    return rewriter.getIndexAttr(i);
                  }))));
      SmallVector<float> weights(taps[a].weight.begin(), taps[a].weight.end());
      weight[a] = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({n}, rewriter.getF32Type()),
              ArrayRef<float>(weights)));
    }
    auto build = [&](ValueRange inputs, bool nhwc) -> Value {
      auto type = cast<RankedTensorType>(op.getType());
      if (nhwc)
        type = nhwcTypeOf(type);
      int64_t axis[2] = {nhwc ? 1 : 2, nhwc ? 2 : 3};
      Value input = inputs[0];
      auto body = [&](OpBuilder &b, Location l, ValueRange) -> Value {
        SmallVector<Value> at;
        for (int64_t d = 0; d < 4; ++d)
          at.push_back(linalg::IndexOp::create(b, l, d));
        // Tap k of output position p of axis a: index and weight.
        auto tap = [&](int a, int64_t k) {
          Value count = arith::ConstantIndexOp::create(b, l, taps[a].taps);
          Value i = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, at[axis[a]], count),
              arith::ConstantIndexOp::create(b, l, k));
          return std::pair(tensor::ExtractOp::create(b, l, index[a], i),
                           tensor::ExtractOp::create(b, l, weight[a], i));
        };
        Value sum;
        for (int64_t i = 0; i < taps[0].taps; ++i) {
          auto [row, rowWeight] = tap(0, i);
          for (int64_t j = 0; j < taps[1].taps; ++j) {
            auto [col, colWeight] = tap(1, j);
            SmallVector<Value> coords = at;
            coords[axis[0]] = row;
            coords[axis[1]] = col;
            Value v = tensor::ExtractOp::create(b, l, input, coords);
            if (taps[0].taps * taps[1].taps > 1)
              v = arith::MulFOp::create(
                  b, l, v, arith::MulFOp::create(b, l, rowWeight, colWeight));
            sum = sum ? arith::AddFOp::create(b, l, sum, v).getResult() : v;
          }
        }
        return sum;
      };
      Value result = elementwise(rewriter, loc, type, ValueRange(), {}, body);
      result.getDefiningOp()->setAttr("cnnc.resample", rewriter.getUnitAttr());
      return result;
    };
    rewriter.replaceOp(
        op, followProducerLayout(rewriter, loc, op.getInput(), build));
    return success();
  }
};

} // namespace

void cnnc::populateDataMovementToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<FlattenLowering, ChannelShuffleLowering, ReshapeLowering,
               ConcatLowering, SliceLowering, TransposeLowering, ResizeLowering,
               UpsampleLowering, PadLowering>(patterns.getContext());
}

void cnnc::populateWeightToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<WeightLowering>(patterns.getContext());
}
