//===- DropPaddingTaps.cpp - kernel taps that only read padding -----------===//

#include "dialects/cnn/transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnn {
#define GEN_PASS_DEF_CNNDROPPADDINGTAPS
#include "dialects/cnn/transforms/Passes.h.inc"
} // namespace cnn

using namespace mlir;
using namespace cnn;

namespace {

/// The kernel positions along one axis that read the input for some output
/// position, [first, last], and the padding that keeps the output size with
/// only them; nullopt when every position is live or the new padding would
/// be negative.
struct AxisCrop {
  int64_t first, last, padBegin, padEnd;
};

std::optional<AxisCrop> cropAxis(int64_t in, int64_t out, int64_t kernel,
                                 int64_t stride, int64_t dilation,
                                 int64_t padBegin) {
  // Tap k reads rows y * stride - padBegin + k * dilation, y in [0, out).
  auto live = [&](int64_t k) {
    int64_t lowest = k * dilation - padBegin;
    int64_t highest = (out - 1) * stride + lowest;
    if (highest < 0 || lowest >= in)
      return false;
    // Some row in [lowest, highest] on the stride's grid is in [0, in).
    int64_t firstInside =
        lowest >= 0 ? lowest
                    : lowest + llvm::divideCeil(-lowest, stride) * stride;
    return firstInside < in && firstInside <= highest;
  };
  int64_t first = 0, last = kernel - 1;
  while (first < kernel && !live(first))
    ++first;
  while (last > first && !live(last))
    --last;
  if (first == kernel || (first == 0 && last == kernel - 1))
    return std::nullopt; // all dead (a conv of padding only) or all live
  AxisCrop crop{first, last, padBegin - first * dilation, 0};
  crop.padEnd =
      (out - 1) * stride + (last - first) * dilation + 1 - in - crop.padBegin;
  if (crop.padBegin < 0 || crop.padEnd < 0)
    return std::nullopt;
  return crop;
}

struct DropPaddingTapsPattern : OpRewritePattern<Conv2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2dOp conv,
                                PatternRewriter &rewriter) const override {
    auto weight = conv.getWeight().getDefiningOp<WeightOp>();
    if (!weight)
      return failure();
    ArrayRef<int64_t> in = conv.getInput().getType().getShape(),
                      out = conv.getType().getShape(),
                      w = conv.getWeight().getType().getShape();
    ArrayRef<int64_t> stride = conv.getStrides(),
                      dilation = conv.getDilations(),
                      padding = conv.getPadding();
    std::optional<AxisCrop> crops[2];
    for (int a = 0; a < 2; ++a)
      crops[a] = cropAxis(in[2 + a], out[2 + a], w[2 + a], stride[a],
                          dilation[a], padding[a]);
    if (!crops[0] && !crops[1])
      return failure();
    for (int a = 0; a < 2; ++a)
      if (!crops[a])
        crops[a] = AxisCrop{0, w[2 + a] - 1, padding[a], padding[2 + a]};
    FailureOr<std::vector<float>> values = weight.readValues();
    if (failed(values))
      return failure();
    int64_t kh = crops[0]->last - crops[0]->first + 1,
            kw = crops[1]->last - crops[1]->first + 1;
    std::vector<float> cropped;
    for (int64_t fc = 0; fc < w[0] * w[1]; ++fc)
      for (int64_t y = crops[0]->first; y <= crops[0]->last; ++y)
        for (int64_t x = crops[1]->first; x <= crops[1]->last; ++x)
          cropped.push_back((*values)[(fc * w[2] + y) * w[3] + x]);
    auto type =
        RankedTensorType::get({w[0], w[1], kh, kw}, rewriter.getF32Type());
    std::string name = weight.getName().str() + ".live";
    Value newWeight = WeightOp::create(rewriter, weight.getLoc(),
                                       rewriter.getStringAttr(name),
                                       createWeightBlob(type, name, cropped));
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getWeightMutable().assign(newWeight);
      conv.setPadding({crops[0]->padBegin, crops[1]->padBegin, crops[0]->padEnd,
                       crops[1]->padEnd});
      // A single tap has no dilation.
      conv.setDilations({kh == 1 ? 1 : dilation[0], kw == 1 ? 1 : dilation[1]});
    });
    return success();
  }
};

struct CnnDropPaddingTaps
    : cnn::impl::CnnDropPaddingTapsBase<CnnDropPaddingTaps> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DropPaddingTapsPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
