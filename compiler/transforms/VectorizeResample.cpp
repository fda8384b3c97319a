//===- VectorizeResample.cpp - resizing as rows of contiguous reads -------===//
//
// A resize (cnn.resize lowered: a generic reading its taps with
// tensor.extract, tagged `cnnc.resample`) would bufferize to scalar loads
// in scalar loops; the vectoriser takes tensor.extract only on tensors.
// Here, before bufferization, each is tiled to single output pixels (an
// scf.forall over batch and rows, a loop over columns) and vectorised over
// the innermost dimension: in NHWC the channels, so that each tap is one
// contiguous vector read.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/TileSizes.h"
#include "compiler/transforms/TransformScript.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cnnc {
#define GEN_PASS_DEF_VECTORIZERESAMPLE
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Whether `value` is a view into another tensor's buffer once bufferized
/// (a slice, or a reshape of one), which need not be contiguous.
bool isView(Value value) {
  Operation *def = value.getDefiningOp();
  if (isa_and_present<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
    return isView(def->getOperand(0));
  return isa_and_present<tensor::ExtractSliceOp>(def);
}

/// Whether the vectoriser reads the tap `extract` as a vector of contiguous
/// elements (its innermost index the innermost loop's: NHWC channels).
bool isContiguousTap(tensor::ExtractOp extract) {
  auto index = extract.getIndices().back().getDefiningOp<linalg::IndexOp>();
  return index && index.getDim() == 3;
}

/// The vectoriser reads other taps with a vector.gather of offsets into the
/// source taken as contiguous; a source that is a view (a channel slice of
/// another tensor) is read from a contiguous copy instead.
void copyViewSources(linalg::GenericOp op) {
  op.getBody()->walk([&](tensor::ExtractOp extract) {
    Value source = extract.getTensor();
    if (isContiguousTap(extract) || !isView(source))
      return;
    OpBuilder b(op);
    auto type = cast<RankedTensorType>(source.getType());
    Value empty = tensor::EmptyOp::create(b, op.getLoc(), type.getShape(),
                                          type.getElementType());
    Value copy =
        linalg::CopyOp::create(b, op.getLoc(), source, empty).getResult(0);
    source.replaceUsesWithIf(copy, [&](OpOperand &use) {
      return op->isProperAncestor(use.getOwner());
    });
  });
}

struct VectorizeResample
    : cnnc::impl::VectorizeResampleBase<VectorizeResample> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr("cnnc.resample") && op.hasPureTensorSemantics() &&
          !op.hasDynamicShape() && op.getNumLoops() == 4)
        ops.push_back(op);
    });
    for (Operation *op : ops)
      copyViewSources(cast<linalg::GenericOp>(op));
    if (report)
      for (Operation *op : ops)
        emitRemark(op->getLoc()) << describe(cast<linalg::GenericOp>(op));
    // A failure leaves the op as it was (or tiled): still correct.
    cnnc::applyToEach(
        getOperation(), ops, "cnnc.vresample", [](int64_t id, Operation *op) {
          int64_t row =
              cast<linalg::GenericOp>(op).getStaticLoopRanges().back();
          return schedule(id, cnnc::rowChunk(row));
        });
    getOperation().walk(
        [](linalg::GenericOp op) { op->removeAttr("cnnc.resample"); });
  }

  /// How the vectorised op reads: per tap a vector of the pixel's channels
  /// (NHWC, the channels innermost) or a gather along a row (NCHW).
  static std::string describe(linalg::GenericOp op) {
    int64_t taps = 0;
    bool contiguous = true;
    op.getBody()->walk([&](tensor::ExtractOp extract) {
      if (extract.getTensor().getType().getRank() != 4)
        return;
      ++taps;
      contiguous &= isContiguousTap(extract);
    });
    int64_t row = op.getStaticLoopRanges().back();
    return fmt::format("vectorized: {} tap{}, each a {} of {} {}", taps,
                       taps == 1 ? "" : "s", contiguous ? "vector" : "gather",
                       row, contiguous ? "channels" : "columns");
  }

  static std::string schedule(int64_t id, int64_t chunk) {
    return fmt::format(R"(
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %r = transform.structured.match attributes{{cnnc.vresample = {0} : i64}} in %root : (!transform.any_op) -> !transform.any_op
    %rows, %forall = transform.structured.tile_using_forall %r tile_sizes [1, 1, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %pixel, %loops:{2} = transform.structured.tile_using_for %rows tile_sizes [0, 0, 1, {1}] : (!transform.any_op) -> (!transform.any_op{3})
    transform.structured.vectorize %pixel {{vectorize_nd_extract}} : !transform.any_op
    transform.apply_patterns to %forall {{
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.yield
  }}
}}
)",
                       id, chunk, chunk ? 2 : 1,
                       chunk ? ", !transform.any_op, !transform.any_op"
                             : ", !transform.any_op");
  }
};

} // namespace
