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

/// Output channel counts that no vector-friendly tile divides (a YOLO
/// head's 255) are computed padded to a multiple of this, with zero filters:
/// a few more FMAs, where tiles of a divisor such as 51 channels (a
/// vector<51> widened to 64 lanes, one pixel each) waste most lanes.
constexpr int64_t kFilterAlign = 16;

/// A pointwise conv whose output rows no 4- to 8-pixel register tile divides
/// (a YOLO network's 13x13 layers: 13-pixel tiles, one broadcast input per
/// FMA), or whose rows are 7 pixels (a 7x7 map: 7-pixel tiles, which a
/// 16-register target holds with one vector of channels only, a load per
/// FMA), runs on all its pixels as one row, zero-padded to a multiple of
/// this, which wider tiles divide. (Rows of 14, 21, ... pixels keep their
/// 7-pixel tiles, which beat 5-pixel tiles of the row.)
constexpr int64_t kPixelAlign = 8;

/// Whether `op`'s only reader is a depthwise conv.
bool feedsDepthwiseOnly(cnn::Conv2dOp op) {
  if (!op->hasOneUse())
    return false;
  auto user = dyn_cast<cnn::Conv2dOp>(*op->getUsers().begin());
  return user && user.getInput() == op.getResult() && user.getGroups() > 1 &&
         static_cast<int64_t>(user.getGroups()) ==
             cast<RankedTensorType>(user.getWeight().getType()).getDimSize(0);
}

/// The output columns a plain conv computes: rows of 7 (a 7x7 map) as 8
/// where a 7-pixel register tile would hold one vector of channels only
/// (fewer than 14 accumulators: a 16-register target), a load per FMA; with
/// the extra column (of zero inputs, sliced off after), tiles of 2 pixels
/// hold four. (A grouped conv's tiles, a group's channels each, gained
/// nothing from it.)
int64_t computedColumns(int64_t columns, int64_t maxAccumulators) {
  return columns == 7 && maxAccumulators < 14 ? 8 : columns;
}

/// The zero columns to add to the right of an input of `width` columns
/// (padding included) so that a conv computes `columns` output columns.
int64_t extraInputColumns(int64_t width, int64_t columns, int64_t kernel,
                          int64_t stride, int64_t dilation) {
  return std::max<int64_t>(0, (columns - 1) * stride + (kernel - 1) * dilation +
                                  1 - width);
}

/// `value`'s [0, 0, 0, 0] corner of `type`'s shape (the real columns and
/// channels of a result computed wider).
Value realPart(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  return tensor::ExtractSliceOp::create(
      b, loc, type, value,
      getAsIndexOpFoldResult(b.getContext(),
                             SmallVector<int64_t>(type.getRank(), 0)),
      getAsIndexOpFoldResult(b.getContext(), type.getShape()),
      SmallVector<OpFoldResult>(type.getRank(), b.getIndexAttr(1)));
}

/// Whether the plain conv `op` (`nhwc`: its NHWC result type) computes on
/// its pixels as one padded row: a 1x1 kernel, unit strides and dilations,
/// no padding, at least a few tiles of pixels, and an awkward row width.
/// Not when a depthwise conv reads it alone: cnnc-fuse-expand-depthwise
/// computes it inside that conv, a row at a time.
bool computesPixelsAsRow(cnn::Conv2dOp op, RankedTensorType weightType,
                         RankedTensorType nhwc) {
  auto isOne = [](int64_t v) { return v == 1; };
  if (feedsDepthwiseOnly(op))
    return false;
  int64_t width = nhwc.getDimSize(2);
  int64_t pixels = nhwc.getNumElements() / nhwc.getDimSize(3);
  return weightType.getDimSize(2) == 1 && weightType.getDimSize(3) == 1 &&
         llvm::all_of(op.getStrides(), isOne) &&
         llvm::all_of(op.getDilations(), isOne) &&
         llvm::all_of(op.getPadding(), [](int64_t v) { return v == 0; }) &&
         pixels >= 4 * kPixelAlign && pixels % kPixelAlign != 0 &&
         (width == 7 ||
          (pixels >= 8 * kPixelAlign &&
           llvm::none_of(llvm::seq<int64_t>(4, 9),
                         [&](int64_t d) { return width % d == 0; })));
}

/// NHWC `value` as [1, 1, pixels, C]: all its pixels in one row, with zero
/// pixels appended up to `pixels`.
Value pixelsAsRow(OpBuilder &b, Location loc, Value value, int64_t pixels) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<ReassociationIndices> rows = {{0, 1, 2}, {3}};
  Value flat = tensor::CollapseShapeOp::create(b, loc, value, rows);
  int64_t count = type.getNumElements() / type.getDimSize(3);
  flat = padTensor(b, loc, flat, {0, 0}, {pixels - count, 0}, 0.0);
  return tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({1, 1, pixels, type.getDimSize(3)},
                            type.getElementType()),
      flat, rows);
}

/// An FCHW weight constant repacked as HWCF at compile time, with zero
/// filters up to `filters`. A depthwise [C, 1, KH, KW] weight comes out as
/// HWC: the same order, with the size-1 input-channel dimension dropped.
FailureOr<Value> repackWeight(OpBuilder &b, cnn::WeightOp weight,
                              bool depthwise, int64_t filters) {
  FailureOr<std::vector<float>> fchw = weight.readValues();
  if (failed(fchw))
    return failure();
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t f = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  std::vector<float> hwcf(fchw->size() / f * filters, 0.0f);
  for (int64_t fi = 0; fi < f; ++fi)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t hi = 0; hi < h; ++hi)
        for (int64_t wi = 0; wi < w; ++wi)
          hwcf[((hi * w + wi) * c + ci) * filters + fi] =
              (*fchw)[((fi * c + ci) * h + hi) * w + wi];
  SmallVector<int64_t> shape = {h, w, c, filters};
  if (depthwise)
    shape = {h, w, filters};
  auto packedType = RankedTensorType::get(shape, type.getElementType());
  std::string name = weight.getName().str() + (depthwise ? ".hwc" : ".hwcf");
  return cnn::WeightOp::create(b, weight.getLoc(), b.getStringAttr(name),
                               cnn::createWeightBlob(packedType, name, hwcf))
      .getResult();
}

/// `bias` with zeros up to `filters` entries: a new constant when it is one
/// (so nothing is padded at run time), a tensor.pad otherwise.
FailureOr<Value> padBias(OpBuilder &b, Location loc, Value bias,
                         int64_t filters) {
  auto type = cast<RankedTensorType>(bias.getType());
  auto weight = bias.getDefiningOp<cnn::WeightOp>();
  if (!weight)
    return padTensor(b, loc, bias, {0}, {filters - type.getDimSize(0)}, 0.0);
  FailureOr<std::vector<float>> values = weight.readValues();
  if (failed(values))
    return failure();
  values->resize(filters, 0.0f);
  auto paddedType = RankedTensorType::get({filters}, type.getElementType());
  std::string name = weight.getName().str() + ".padded";
  return cnn::WeightOp::create(b, weight.getLoc(), b.getStringAttr(name),
                               cnn::createWeightBlob(paddedType, name, *values))
      .getResult();
}

/// Plain (groups == 1) and depthwise (groups == C == F) convolutions
/// computed in NHWC with HWCF / HWC weights: the layouts the vectoriser turns
/// into FMAs over channel vectors. The transposes at the edges are plain
/// copies; adjacent pairs cancel.
struct Conv2dNhwcLowering : OpRewritePattern<cnn::Conv2dOp> {
  Conv2dNhwcLowering(MLIRContext *ctx, int64_t maxAccumulators)
      : OpRewritePattern(ctx, /*benefit=*/2), maxAccumulators(maxAccumulators) {
  }

  LogicalResult matchAndRewrite(cnn::Conv2dOp op,
                                PatternRewriter &rewriter) const override {
    auto weight = op.getWeight().getDefiningOp<cnn::WeightOp>();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t groups = op.getGroups();
    bool depthwise = groups > 1 && groups == weightType.getDimSize(0) &&
                     weightType.getDimSize(1) == 1;
    if ((groups != 1 && !depthwise) || !weight)
      return rewriter.notifyMatchFailure(op, "grouped or non-constant weight");
    Location loc = op.getLoc();
    // Padded filters only without a residual (which would need padding
    // too): the activation of a zero filter is harmless, sliced off after.
    int64_t filters = weightType.getDimSize(0);
    int64_t computed = !depthwise && !op.getResidual() &&
                               filters >= kFilterAlign && filters % 8 != 0
                           ? llvm::alignTo(filters, kFilterAlign)
                           : filters;
    FailureOr<Value> packed =
        repackWeight(rewriter, weight, depthwise, computed);
    if (failed(packed))
      return failure();
    ArrayRef<int64_t> pad = op.getPadding();
    RankedTensorType nhwcType = nhwcTypeOf(op.getType());
    bool asRow = !depthwise && computesPixelsAsRow(op, weightType, nhwcType);
    int64_t columns = nhwcType.getDimSize(2);
    // Not for an expansion that a depthwise conv reads alone:
    // cnnc-fuse-expand-depthwise computes it inside that conv.
    int64_t computedCols = depthwise || asRow || feedsDepthwiseOnly(op)
                               ? columns
                               : computedColumns(columns, maxAccumulators);
    int64_t extra = extraInputColumns(
        cast<RankedTensorType>(op.getInput().getType()).getDimSize(3) + pad[1] +
            pad[3],
        computedCols, weightType.getDimSize(3), op.getStrides()[1],
        op.getDilations()[1]);
    Value input = toNhwc(rewriter, loc, op.getInput());
    input = padTensor(rewriter, loc, input, {0, pad[0], pad[1], 0},
                      {0, pad[2], pad[3] + extra, 0}, 0.0);
    Value residual =
        op.getResidual() ? toNhwc(rewriter, loc, op.getResidual()) : Value();
    if (residual && computedCols != columns)
      residual = padTensor(rewriter, loc, residual, {0, 0, 0, 0},
                           {0, 0, computedCols - columns, 0}, 0.0);
    SmallVector<int64_t> computedShape(nhwcType.getShape());
    computedShape[2] = computedCols;
    computedShape[3] = computed;
    if (asRow) {
      int64_t pixels = llvm::alignTo(
          nhwcType.getNumElements() / nhwcType.getDimSize(3), kPixelAlign);
      computedShape = {1, 1, pixels, computed};
      input = pixelsAsRow(rewriter, loc, input, pixels);
      if (residual)
        residual = pixelsAsRow(rewriter, loc, residual, pixels);
    }
    auto computedType =
        RankedTensorType::get(computedShape, nhwcType.getElementType());
    Value bias = op.getBias();
    if (bias && computed != filters) {
      FailureOr<Value> padded = padBias(rewriter, loc, bias, computed);
      if (failed(padded))
        return failure();
      bias = *padded;
    }
    Value acc = initialAccumulator(rewriter, loc, computedType, bias, 3);
    NamedAttribute attrs[] = {
        rewriter.getNamedAttr("strides",
                              rewriter.getI64TensorAttr(op.getStrides())),
        rewriter.getNamedAttr("dilations",
                              rewriter.getI64TensorAttr(op.getDilations()))};
    Value conv = depthwise ? linalg::DepthwiseConv2DNhwcHwcOp::create(
                                 rewriter, loc, computedType,
                                 ValueRange{input, *packed}, acc, attrs)
                                 .getResult(0)
                           : linalg::Conv2DNhwcHwcfOp::create(
                                 rewriter, loc, computedType,
                                 ValueRange{input, *packed}, acc, attrs)
                                 .getResult(0);
    Value result = epilogue(rewriter, loc, conv, residual, op.getActivation(),
                            op.getAlpha().convertToDouble());
    if (asRow) {
      // The real pixels and filters: a rank-reducing slice of the row, back
      // to [N, H, W, F] (the padded pixels are at the end: with all filters
      // real, a contiguous prefix, no copy).
      int64_t count = nhwcType.getNumElements() / filters;
      auto rowType =
          RankedTensorType::get({count, filters}, nhwcType.getElementType());
      Value row = tensor::ExtractSliceOp::create(
          rewriter, loc, rowType, result,
          getAsIndexOpFoldResult(rewriter.getContext(), {0, 0, 0, 0}),
          getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, count, filters}),
          SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1)));
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, nhwcType, row,
          SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    } else if (computed != filters || computedCols != columns) {
      result = realPart(rewriter, loc, result, nhwcType);
    }
    rewriter.replaceOp(op, toNchw(rewriter, loc, result));
    return success();
  }

  int64_t maxAccumulators;
};

/// How many of the model's groups MergeNarrowGroups merged into each of a
/// conv's groups.
constexpr llvm::StringLiteral kMergedGroups = "cnnc.merged_groups";

/// A grouped conv whose groups are narrower than `minWidth` output channels
/// (ResNeXt's 4) computed as one with fewer, wider groups: each new group
/// merges the fewest old ones that reach the width, with block-diagonal
/// weights (zeros between the merged groups), so that a register tile's
/// vectors hold whole channels of one group. The result is the same; the
/// extra multiplies by zero cost less than vectors a few lanes wide. All
/// groups merged is a plain conv (Winograd and the other plain-conv forms
/// apply). Depthwise convs (one input and one output channel a group) keep
/// their own kernel.
struct MergeNarrowGroups : OpRewritePattern<cnn::Conv2dOp> {
  MergeNarrowGroups(MLIRContext *ctx, int64_t minWidth)
      : OpRewritePattern(ctx, /*benefit=*/3), minWidth(minWidth) {}

  LogicalResult matchAndRewrite(cnn::Conv2dOp op,
                                PatternRewriter &rewriter) const override {
    auto weight = op.getWeight().getDefiningOp<cnn::WeightOp>();
    auto type = cast<RankedTensorType>(op.getWeight().getType());
    int64_t groups = op.getGroups(), filters = type.getDimSize(0),
            channels = type.getDimSize(1), width = filters / groups;
    if (!weight || groups <= 1 || width >= minWidth ||
        (channels == 1 && width == 1))
      return rewriter.notifyMatchFailure(op, "not a narrow-grouped conv");
    int64_t merge = groups;
    for (int64_t m = 2; m < groups; ++m)
      if (groups % m == 0 && m * width >= minWidth) {
        merge = m;
        break;
      }
    FailureOr<std::vector<float>> values = weight.readValues();
    if (failed(values))
      return failure();
    int64_t window = type.getDimSize(2) * type.getDimSize(3);
    int64_t mergedChannels = merge * channels;
    std::vector<float> merged(filters * mergedChannels * window, 0.0f);
    for (int64_t f = 0; f < filters; ++f) {
      int64_t offset = (f / width) % merge * channels;
      std::copy_n(values->begin() + f * channels * window, channels * window,
                  merged.begin() + (f * mergedChannels + offset) * window);
    }
    auto mergedType = RankedTensorType::get(
        {filters, mergedChannels, type.getDimSize(2), type.getDimSize(3)},
        type.getElementType());
    std::string name =
        weight.getName().str() + ".g" + std::to_string(groups / merge);
    Value mergedWeight = cnn::WeightOp::create(
        rewriter, weight.getLoc(), rewriter.getStringAttr(name),
        cnn::createWeightBlob(mergedType, name, merged));
    rewriter.modifyOpInPlace(op, [&] {
      op.getWeightMutable().assign(mergedWeight);
      op.setGroups(groups / merge);
      // For --report (GroupedConv2dNhwcLowering keeps it).
      op->setAttr(kMergedGroups, rewriter.getI64IntegerAttr(merge));
    });
    return success();
  }

  int64_t minWidth;
};

/// A grouped conv (1 < groups < channels) computed in NHWC as a conv per
/// group: the channels split as [G, C/G] (views, no copies), weights
/// repacked at compile time as [G, KH, KW, C/G, F/G] (each group's HWCF),
/// one linalg.generic over (n, oh, ow, g, f, kh, kw, c) tagged
/// `cnnc.grouped_conv` (= the model's groups merged into each, 1 if none),
/// its bias and epilogue on the same [N, OH, OW, G, F/G] shape.
/// cnnc-vectorize-conv tiles it one group at a time and computes each tile
/// as a plain NHWC conv.
struct GroupedConv2dNhwcLowering : OpRewritePattern<cnn::Conv2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::Conv2dOp op,
                                PatternRewriter &rewriter) const override {
    auto weight = op.getWeight().getDefiningOp<cnn::WeightOp>();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t groups = op.getGroups(), filters = weightType.getDimSize(0),
            channels = weightType.getDimSize(1), width = filters / groups,
            kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
    if (!weight || groups <= 1 || (channels == 1 && width == 1))
      return rewriter.notifyMatchFailure(op, "not a grouped conv");
    FailureOr<std::vector<float>> fchw = weight.readValues();
    if (failed(fchw))
      return failure();
    std::vector<float> packed(fchw->size());
    for (int64_t f = 0; f < filters; ++f)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t i = 0; i < kh * kw; ++i)
          packed[(((f / width) * kh * kw + i) * channels + c) * width +
                 f % width] = (*fchw)[(f * channels + c) * kh * kw + i];
    auto packedType = RankedTensorType::get({groups, kh, kw, channels, width},
                                            weightType.getElementType());
    std::string name = weight.getName().str() + ".ghwcf";
    Value w = cnn::WeightOp::create(
        rewriter, weight.getLoc(), rewriter.getStringAttr(name),
        cnn::createWeightBlob(packedType, name, packed));

    Location loc = op.getLoc();
    ArrayRef<int64_t> pad = op.getPadding();
    Value input = toNhwc(rewriter, loc, op.getInput());
    input = padTensor(rewriter, loc, input, {0, pad[0], pad[1], 0},
                      {0, pad[2], pad[3], 0}, 0.0);
    // [N, H, W, G * X] as [N, H, W, G, X] and back.
    SmallVector<ReassociationIndices> splitLast = {{0}, {1}, {2}, {3, 4}};
    auto split = [&](Value v) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape.back() /= groups;
      shape.insert(shape.end() - 1, groups);
      return tensor::ExpandShapeOp::create(
                 rewriter, loc,
                 RankedTensorType::get(shape, type.getElementType()), v,
                 splitLast)
          .getResult();
    };
    RankedTensorType nhwcType = nhwcTypeOf(op.getType());
    auto groupedType = cast<RankedTensorType>(
        split(tensor::EmptyOp::create(rewriter, loc, nhwcType.getShape(),
                                      nhwcType.getElementType()))
            .getType());
    Value acc;
    if (Value bias = op.getBias()) {
      Value grouped = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({groups, width}, groupedType.getElementType()),
          bias, ArrayRef<ReassociationIndices>{{0, 1}});
      acc = linalg::BroadcastOp::create(
                rewriter, loc, grouped,
                tensor::EmptyOp::create(rewriter, loc, groupedType.getShape(),
                                        groupedType.getElementType()),
                ArrayRef<int64_t>{0, 1, 2})
                .getResult()[0];
    } else {
      acc = filledTensor(rewriter, loc, groupedType, 0.0);
    }
    // Loops (n, oh, ow, g, f, kh, kw, c).
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> d;
    for (unsigned i = 0; i < 8; ++i)
      d.push_back(getAffineDimExpr(i, ctx));
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    SmallVector<AffineMap> maps = {
        AffineMap::get(8, 0,
                       {d[0], d[1] * strides[0] + d[5] * dilations[0],
                        d[2] * strides[1] + d[6] * dilations[1], d[3], d[7]},
                       ctx),
        AffineMap::get(8, 0, {d[3], d[5], d[6], d[7], d[4]}, ctx),
        AffineMap::get(8, 0, {d[0], d[1], d[2], d[3], d[4]}, ctx)};
    SmallVector<utils::IteratorType> iterators(5,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    auto conv = linalg::GenericOp::create(
        rewriter, loc, groupedType, ValueRange{split(input), w}, acc, maps,
        iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value mul = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddFOp::create(b, l, args[2], mul)});
        });
    auto merged = op->getAttrOfType<IntegerAttr>(kMergedGroups);
    conv->setAttr("cnnc.grouped_conv",
                  merged ? merged : rewriter.getI64IntegerAttr(1));
    Value residual = op.getResidual()
                         ? split(toNhwc(rewriter, loc, op.getResidual()))
                         : Value();
    Value result =
        epilogue(rewriter, loc, conv.getResult(0), residual, op.getActivation(),
                 op.getAlpha().convertToDouble());
    result = tensor::CollapseShapeOp::create(rewriter, loc, nhwcType, result,
                                             splitLast);
    rewriter.replaceOp(op, toNchw(rewriter, loc, result));
    return success();
  }
};

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

/// With `nhwc` (-O2): the weight repacked at compile time from [N, K] into
/// blocks of `B` output channels, [N/B, K, B], and the layer computed as
/// out[m, nb, nl] = sum_k x[m, k] * w[nb, k, nl]: each block's weights are
/// one contiguous stream, read once with B-wide FMAs. At batch 1 a dense
/// layer is memory bound and streaming its weights is what counts (a [K, N]
/// matmul reads narrow columns a row of weights apart).
struct DenseBlockedLowering : OpRewritePattern<cnn::DenseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::DenseOp op,
                                PatternRewriter &rewriter) const override {
    auto weight = op.getWeight().getDefiningOp<cnn::WeightOp>();
    if (!weight)
      return rewriter.notifyMatchFailure(op, "non-constant weight");
    FailureOr<std::vector<float>> nk = weight.readValues();
    if (failed(nk))
      return failure();
    auto type = cast<RankedTensorType>(weight.getType());
    int64_t n = type.getDimSize(0), k = type.getDimSize(1);
    // A vector (16 lanes) or half of one; else the widest block dividing N.
    int64_t block = n % 16 == 0 ? 16 : n % 8 == 0 ? 8 : 1;
    for (int64_t b = 16; block == 1 && b > 1; --b)
      if (n % b == 0)
        block = b;
    int64_t blocks = n / block;
    std::vector<float> packed(nk->size());
    for (int64_t ni = 0; ni < n; ++ni)
      for (int64_t ki = 0; ki < k; ++ki)
        packed[((ni / block) * k + ki) * block + ni % block] =
            (*nk)[ni * k + ki];
    auto packedType =
        RankedTensorType::get({blocks, k, block}, type.getElementType());
    std::string name = weight.getName().str() + ".b" + std::to_string(block);
    Location loc = op.getLoc();
    Value w = cnn::WeightOp::create(
        rewriter, weight.getLoc(), rewriter.getStringAttr(name),
        cnn::createWeightBlob(packedType, name, packed));
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t m = resultType.getDimSize(0);
    auto blockedType =
        RankedTensorType::get({m, blocks, block}, resultType.getElementType());
    SmallVector<ReassociationIndices> split = {{0}, {1, 2}};
    Value bias = op.getBias();
    if (bias)
      bias = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({blocks, block}, resultType.getElementType()),
          bias, ArrayRef<ReassociationIndices>{{0, 1}});
    Value acc =
        bias
            ? linalg::BroadcastOp::create(
                  rewriter, loc, bias,
                  tensor::EmptyOp::create(rewriter, loc, blockedType.getShape(),
                                          blockedType.getElementType()),
                  ArrayRef<int64_t>{0})
                  .getResult()[0]
            : filledTensor(rewriter, loc, blockedType, 0.0);
    // Loops (m, nb, k, nl): with the block innermost, the vectoriser reads
    // weight rows as they lie and the contraction lowers to FMAs of a
    // broadcast input with a row of B weights.
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr dm, dnb, dk, dnl;
    bindDims(ctx, dm, dnb, dk, dnl);
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {dm, dk}, ctx),
                                   AffineMap::get(4, 0, {dnb, dk, dnl}, ctx),
                                   AffineMap::get(4, 0, {dm, dnb, dnl}, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators[2] = utils::IteratorType::reduction;
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, blockedType, ValueRange{op.getInput(), w}, acc, maps,
            iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              Value mul = arith::MulFOp::create(b, l, args[0], args[1]);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, args[2], mul)});
            })
            .getResult(0);
    Value result = epilogue(rewriter, loc, product, Value(), op.getActivation(),
                            op.getAlpha().convertToDouble());
    rewriter.replaceOp(op, tensor::CollapseShapeOp::create(
                               rewriter, loc, resultType, result, split));
    return success();
  }
};

} // namespace

void cnnc::populateConvToLinalgPatterns(RewritePatternSet &patterns, bool nhwc,
                                        int64_t minGroupWidth,
                                        int64_t maxAccumulators) {
  // The NHWC patterns, when asked for, are tried first (higher benefit);
  // narrow groups are merged before any lowering.
  if (nhwc) {
    MLIRContext *ctx = patterns.getContext();
    patterns.add<MergeNarrowGroups>(ctx, minGroupWidth);
    patterns.add<Conv2dNhwcLowering>(ctx, maxAccumulators);
    patterns.add<GroupedConv2dNhwcLowering, DenseBlockedLowering>(
        ctx, /*benefit=*/2);
  }
  patterns.add<Conv2dLowering, DenseLowering>(patterns.getContext());
}
