//===- ForwardTransfers.cpp - tile temporaries that stay in registers -----===//
//
// A fused conv tile writes its bias-initialised accumulators to a
// tile-sized buffer and reads them back twice: before the reduction loops
// and for the epilogue. On tensors these round trips do not fold (the
// vectors lost the unit dimensions the slices keep), so bufferization gives
// every tile a temporary buffer inside the thread-level loop. Here the
// transfers are forwarded on buffers instead: views folded into the
// transfers' indices, each read of what a write just stored replaced by
// the stored vector, then the writes nobody reads and their buffers
// removed. Besides the memory traffic, such a buffer inside a parallel loop
// would be one buffer shared by all of its iterations once the workspace
// is planned.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_FORWARDTRANSFERS
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The unit vector dimensions of a transfer on a memref.expand_shape that
/// fall on an expanded dimension other than the last of its group (a grouped
/// conv's group index in [N, H, W, G, F/G]).
template <typename TransferOp>
SmallVector<int64_t> unitDimsInsideGroups(TransferOp op) {
  auto expand = op.getBase().template getDefiningOp<memref::ExpandShapeOp>();
  if (!expand || op.getMask())
    return {};
  SmallVector<int64_t> last(op.getShapedType().getRank(), -1);
  for (const ReassociationIndices &group : expand.getReassociationIndices())
    for (int64_t dim : group)
      last[dim] = group.back();
  SmallVector<int64_t> unit;
  for (auto [i, result] :
       llvm::enumerate(op.getPermutationMap().getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(result);
    if (dim && last[dim.getPosition()] != dim.getPosition() &&
        op.getVectorType().getDimSize(i) == 1)
      unit.push_back(i);
  }
  return unit;
}

/// Such a transfer with those dimensions dropped from its vector (a
/// shape_cast restores them). MLIR's fold of an expand_shape into a
/// transfer (populateFoldMemRefAliasOpPatterns) keeps the vector's minor
/// identity map on the collapsed memref, which then reads other dimensions
/// (a vector<8x1x8> over (w, g, f) of [N, H, W, G, F/G] became one over
/// (h, w, c)); without them the map is no minor identity and it is left
/// alone. Tried before that fold (higher benefit).
template <typename TransferOp>
struct DropUnitDimsInsideGroups : OpRewritePattern<TransferOp> {
  DropUnitDimsInsideGroups(MLIRContext *ctx)
      : OpRewritePattern<TransferOp>(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(TransferOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> unit = unitDimsInsideGroups(op);
    if (unit.empty())
      return failure();
    VectorType type = op.getVectorType();
    SmallVector<int64_t> shape;
    SmallVector<bool> inBounds;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (!llvm::is_contained(unit, i)) {
        shape.push_back(type.getDimSize(i));
        inBounds.push_back(op.isDimInBounds(i));
      }
    auto reduced = VectorType::get(shape, type.getElementType());
    llvm::SmallBitVector dropped(type.getRank());
    for (int64_t i : unit)
      dropped.set(i);
    AffineMap map = op.getPermutationMap().dropResults(dropped);
    Location loc = op.getLoc();
    if constexpr (std::is_same_v<TransferOp, vector::TransferReadOp>) {
      Value read = vector::TransferReadOp::create(
          rewriter, loc, reduced, op.getBase(), op.getIndices(),
          op.getPadding(), map, ArrayRef<bool>(inBounds));
      rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, type, read);
    } else {
      Value vector =
          vector::ShapeCastOp::create(rewriter, loc, reduced, op.getVector());
      rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
          op, vector, op.getBase(), op.getIndices(), map,
          ArrayRef<bool>(inBounds));
    }
    return success();
  }
};

struct ForwardTransfers : cnnc::impl::ForwardTransfersBase<ForwardTransfers> {
  void runOnOperation() override {
    Operation *root = getOperation();
    RewritePatternSet patterns(&getContext());
    patterns.add<DropUnitDimsInsideGroups<vector::TransferReadOp>,
                 DropUnitDimsInsideGroups<vector::TransferWriteOp>>(
        &getContext());
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    // Not converging within the driver's limits only means less folded.
    (void)applyPatternsGreedily(root, std::move(patterns));
    IRRewriter rewriter(&getContext());
    vector::transferOpflowOpt(rewriter, root);
    memref::eraseDeadAllocAndStores(rewriter, root);
  }
};

} // namespace
