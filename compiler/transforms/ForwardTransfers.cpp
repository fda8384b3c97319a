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

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
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

/// A minor-identity transfer on a memref.expand_shape whose vector spans
/// two or more dimensions of one expanded group (a channel shuffle's
/// vector<2x8> over [N, H, W, 2, 8]), as a transfer on the expand_shape's
/// source of those dimensions merged into one (a shape_cast restores
/// them). Possible where each spanned dimension after the group's first
/// spanned one is read whole from index 0, so that the merged elements are
/// contiguous; elsewhere (a transpose tile of 2 x 2 of [2, 58]) the transfer
/// becomes one 1-D transfer per row of its vector, which that fold handles.
/// MLIR's own fold would keep the vector's shape on the collapsed memref,
/// reading other dimensions. Tried first (highest benefit).
template <typename TransferOp>
struct MergeGroupDimsOfTransfer : OpRewritePattern<TransferOp> {
  MergeGroupDimsOfTransfer(MLIRContext *ctx)
      : OpRewritePattern<TransferOp>(ctx, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(TransferOp op,
                                PatternRewriter &rewriter) const override {
    auto expand = op.getBase().template getDefiningOp<memref::ExpandShapeOp>();
    if (!expand || op.getMask() || !op.getPermutationMap().isMinorIdentity())
      return failure();
    ArrayRef<int64_t> shape = expand.getResultType().getShape();
    VectorType type = op.getVectorType();
    int64_t rank = shape.size(), first = rank - type.getRank();
    SmallVector<int64_t> merged;
    SmallVector<bool> inBounds;
    SmallVector<Value> indices;
    SmallVector<std::pair<AffineExpr, SmallVector<OpFoldResult>>> linearIndices;
    bool spansGroup = false;
    Location loc = op.getLoc();
    for (const ReassociationIndices &group : expand.getReassociationIndices()) {
      // The source index: the group's indices linearised.
      AffineExpr linear = rewriter.getAffineConstantExpr(0);
      SmallVector<OpFoldResult> operands;
      int64_t spanned = 0, size = 1;
      bool whole = true, unitRows = true;
      for (int64_t dim : group) {
        linear =
            linear * shape[dim] + rewriter.getAffineSymbolExpr(operands.size());
        operands.push_back(op.getIndices()[dim]);
        if (dim < first)
          continue;
        int64_t v = type.getDimSize(dim - first);
        unitRows &= dim == group.back() || v == 1;
        if (spanned++ > 0)
          whole &=
              v == shape[dim] && isConstantIntValue(op.getIndices()[dim], 0);
        size *= v;
        if (!op.isDimInBounds(dim - first))
          whole = false;
      }
      if (spanned > 1) {
        // Unit rows: DropUnitDimsInsideGroups' case.
        if (!whole)
          return unitRows ? failure() : unrollRows(op, rewriter);
        spansGroup = true;
      }
      if (spanned > 0) {
        merged.push_back(size);
        inBounds.push_back(llvm::all_of(group, [&](int64_t dim) {
          return dim < first || op.isDimInBounds(dim - first);
        }));
      }
      linearIndices.push_back({linear, operands});
    }
    if (!spansGroup)
      return failure();
    for (auto &[linear, operands] : linearIndices)
      indices.push_back(getValueOrCreateConstantIndexOp(
          rewriter, loc,
          affine::makeComposedFoldedAffineApply(
              rewriter, loc, AffineMap::get(0, operands.size(), linear),
              operands)));
    Value source = expand.getSrc();
    auto flat = VectorType::get(merged, type.getElementType());
    return replace(op, rewriter, source, flat, indices, inBounds);
  }

  /// `op` as a transfer of `flat` on `source` at `indices`.
  static LogicalResult replace(TransferOp op, PatternRewriter &rewriter,
                               Value source, VectorType flat,
                               ArrayRef<Value> indices,
                               ArrayRef<bool> inBounds) {
    VectorType type = op.getVectorType();
    Location loc = op.getLoc();
    ArrayRef<int64_t> merged = flat.getShape();
    AffineMap map = AffineMap::getMinorIdentityMap(
        cast<MemRefType>(source.getType()).getRank(), merged.size(),
        rewriter.getContext());
    if constexpr (std::is_same_v<TransferOp, vector::TransferReadOp>) {
      Value read = vector::TransferReadOp::create(rewriter, loc, flat, source,
                                                  indices, op.getPadding(), map,
                                                  ArrayRef<bool>(inBounds));
      rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, type, read);
    } else {
      Value vector =
          vector::ShapeCastOp::create(rewriter, loc, flat, op.getVector());
      rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
          op, vector, source, indices, map, ArrayRef<bool>(inBounds));
    }
    return success();
  }

  /// `op` as one 1-D transfer per row of its vector.
  static LogicalResult unrollRows(TransferOp op, PatternRewriter &rewriter) {
    VectorType type = op.getVectorType();
    int64_t rank = type.getRank();
    // Rows past the buffer's end would be read or written unmasked.
    if (rank < 2 ||
        llvm::any_of(llvm::seq<int64_t>(0, rank - 1),
                     [&](int64_t d) { return !op.isDimInBounds(d); }))
      return failure();
    Location loc = op.getLoc();
    int64_t first = op.getShapedType().getRank() - rank;
    auto rowType =
        VectorType::get(type.getShape().back(), type.getElementType());
    AffineMap map = AffineMap::getMinorIdentityMap(op.getShapedType().getRank(),
                                                   1, rewriter.getContext());
    SmallVector<bool> inBounds = {op.isDimInBounds(rank - 1)};
    ArrayRef<int64_t> leading = type.getShape().drop_back();
    Value result;
    if constexpr (std::is_same_v<TransferOp, vector::TransferReadOp>)
      result = ub::PoisonOp::create(rewriter, loc, type);
    SmallVector<int64_t> at(leading.size(), 0);
    for (int64_t row = 0; row < ShapedType::getNumElements(leading); ++row) {
      SmallVector<Value> indices(op.getIndices());
      for (auto [d, offset] : llvm::enumerate(at))
        indices[first + d] = getValueOrCreateConstantIndexOp(
            rewriter, loc,
            affine::makeComposedFoldedAffineApply(
                rewriter, loc, rewriter.getAffineSymbolExpr(0) + offset,
                {OpFoldResult(indices[first + d])}));
      if constexpr (std::is_same_v<TransferOp, vector::TransferReadOp>) {
        Value read = vector::TransferReadOp::create(
            rewriter, loc, rowType, op.getBase(), indices, op.getPadding(), map,
            ArrayRef<bool>(inBounds));
        result = vector::InsertOp::create(rewriter, loc, read, result, at);
      } else {
        Value part =
            vector::ExtractOp::create(rewriter, loc, op.getVector(), at);
        vector::TransferWriteOp::create(rewriter, loc, part, op.getBase(),
                                        indices, map, ArrayRef<bool>(inBounds));
      }
      for (int64_t d = at.size() - 1; d >= 0 && ++at[d] == leading[d]; --d)
        at[d] = 0;
    }
    if constexpr (std::is_same_v<TransferOp, vector::TransferReadOp>)
      rewriter.replaceOp(op, result);
    else
      rewriter.eraseOp(op);
    return success();
  }
};

struct ForwardTransfers : cnnc::impl::ForwardTransfersBase<ForwardTransfers> {
  void runOnOperation() override {
    Operation *root = getOperation();
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeGroupDimsOfTransfer<vector::TransferReadOp>,
                 MergeGroupDimsOfTransfer<vector::TransferWriteOp>,
                 DropUnitDimsInsideGroups<vector::TransferReadOp>,
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
