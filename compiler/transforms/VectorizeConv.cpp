//===- VectorizeConv.cpp - register-tiled, vectorised NHWC convolutions ---===//
//
// The schedule is the one of ../shared/design.md (register tiles of output
// pixels x output channels, the reduction innermost, upstream MLIR alone),
// written as a transform-dialect script per convolution so that each gets
// tile sizes that divide its own shape.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/ConvSchedule.h"
#include "compiler/transforms/Epilogue.h"
#include "compiler/transforms/Passes.h"
#include "compiler/transforms/TileSizes.h"
#include "compiler/transforms/TransformScript.h"
#include "compiler/transforms/WeightBlocks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_VECTORIZECONV
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::ConvSchedule;
using cnnc::epilogueOf;
using cnnc::TileOrder;
using cnnc::TileSizes;

namespace {

/// The end of every schedule: tag the op's thread-level loop (%forall) for
/// the cleanup that follows (`cleanUp`).
constexpr llvm::StringLiteral kTagLoop = R"(
    transform.annotate %forall "cnnc.vloop" : !transform.any_op
    transform.yield
  }
}
)";

/// The start of every schedule: the op tagged `id`, its init and its
/// epilogue (an empty handle when there is none).
std::string scheduleHead(int64_t id) {
  return fmt::format(R"(
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %conv = transform.structured.match attributes{{cnnc.vconv = {0} : i64}} in %root : (!transform.any_op) -> !transform.any_op
    %init = transform.structured.match attributes{{cnnc.vinit = {0} : i64}} in %root : (!transform.any_op) -> !transform.any_op
    %epi = transform.structured.match attributes{{cnnc.vepi = {0} : i64}} in %root : (!transform.any_op) -> !transform.any_op)",
                     id);
}

/// With the epilogue as the tiled root (`%root_t` in `%tiles`): the op and
/// its init fused into each tile, root and init vectorised.
constexpr llvm::StringLiteral kFuseIntoTiles = R"(
    %conv_t, %n1 = transform.structured.fuse_into_containing_op %conv into %tiles : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %init_t, %n2 = transform.structured.fuse_into_containing_op %init into %tiles : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %root_t : !transform.any_op
    transform.structured.vectorize %init_t : !transform.any_op)";

/// Without an epilogue, the op is the tiled root and its bias/zero init the
/// loop's destination: fused into each tile through the loop's shared
/// output and vectorised, the accumulators start in registers (not from a
/// whole-tensor fill read back by every tile).
constexpr llvm::StringLiteral kFuseInitIntoTiles = R"(
    %init_t, %n2 = transform.structured.fuse_into_containing_op %init into %tiles : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %init_t : !transform.any_op)";

/// The end of a schedule's first half: the tiled op (%conv_t) tagged
/// `cnnc.vtiled` for the second half.
std::string tagTiled(int64_t id) {
  return fmt::format(R"(
    %tag = transform.param.constant {0} : i64 -> !transform.param<i64>
    transform.annotate %conv_t "cnnc.vtiled" = %tag : !transform.any_op, !transform.param<i64>
    transform.yield
  }}
}}
)",
                     id);
}

/// The first half of a conv's schedule: the thread-level forall of
/// register tiles, the tiled conv tagged `cnnc.vtiled` for the second half
/// (readWeightsInBlocks() may change its weight operand in between).
/// `depthwise`: (n, oh, ow, c, kh, kw) iterators, no channel reduction;
/// otherwise (n, oh, ow, f, kh, kw, c).
std::string tileSchedule(int64_t id, bool hasEpilogue, bool depthwise,
                         TileOrder order, TileSizes t) {
  std::string noReduction = depthwise ? "0, 0" : "0, 0, 0";
  // The register tiles form the thread-level scf.forall (cnnc-parallelize
  // gives each thread a contiguous block of them, last dimension fastest).
  // The root is the epilogue when there is one, with the conv and its
  // bias/zero init fused in. Without one, the conv is the root and its init,
  // the loop's destination, is fused in through the loop's shared output.
  //
  // Tile orders other than rows need an epilogue (interchange needs a
  // linalg.generic).
  std::string tileRoot;
  if (hasEpilogue && order == TileOrder::ChannelsOuter)
    tileRoot = fmt::format(R"(
    %epi_i = transform.structured.interchange %epi iterator_interchange = [0, 3, 1, 2] : (!transform.any_op) -> !transform.any_op
    %root_i, %tiles = transform.structured.tile_using_forall %epi_i tile_sizes [1, {1}, 1, {0}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %root_t = transform.structured.interchange %root_i iterator_interchange = [0, 2, 3, 1] : (!transform.any_op) -> !transform.any_op)",
                           t.pixels, t.channels);
  else if (hasEpilogue && order == TileOrder::ColumnsOuter)
    tileRoot = fmt::format(R"(
    %epi_i = transform.structured.interchange %epi iterator_interchange = [0, 2, 1, 3] : (!transform.any_op) -> !transform.any_op
    %root_i, %tiles = transform.structured.tile_using_forall %epi_i tile_sizes [1, {0}, 1, {1}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %root_t = transform.structured.interchange %root_i iterator_interchange = [0, 2, 1, 3] : (!transform.any_op) -> !transform.any_op)",
                           t.pixels, t.channels);
  else if (hasEpilogue)
    tileRoot = fmt::format(R"(
    %root_t, %tiles = transform.structured.tile_using_forall %epi tile_sizes [1, 1, {0}, {1}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op))",
                           t.pixels, t.channels);
  else
    tileRoot = fmt::format(R"(
    %conv_t, %tiles = transform.structured.tile_using_forall %conv tile_sizes [1, 1, {0}, {1}, {2}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op))",
                           t.pixels, t.channels, noReduction) +
               kFuseInitIntoTiles.str();
  if (hasEpilogue)
    tileRoot += kFuseIntoTiles;
  return scheduleHead(id) + tileRoot + tagTiled(id);
}

/// The first half for a grouped conv (cnnc.grouped_conv: loops (n, oh, ow,
/// g, f, kh, kw, c), its epilogue on [N, OH, OW, G, F/G]): register tiles of
/// one group, row by row, tagged `cnnc.vtiled` as in tileSchedule.
std::string groupedTileSchedule(int64_t id, bool hasEpilogue, TileSizes t) {
  std::string tileRoot = hasEpilogue ? fmt::format(R"(
    %root_t, %tiles = transform.structured.tile_using_forall %epi tile_sizes [1, 1, {0}, 1, {1}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op))",
                                                   t.pixels, t.channels) +
                                           kFuseIntoTiles.str()
                                     : fmt::format(R"(
    %conv_t, %tiles = transform.structured.tile_using_forall %conv tile_sizes [1, 1, {0}, 1, {1}, 0, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op))",
                                                   t.pixels, t.channels) +
                                           kFuseInitIntoTiles.str();
  return scheduleHead(id) + tileRoot + tagTiled(id);
}

/// A grouped conv's register tile (one group: the g loop of extent 1) as
/// the plain NHWC conv it is, on views without the group dimension, so that
/// the second half of the plain conv's schedule applies; tagged like it.
LogicalResult groupTileAsConv(linalg::GenericOp tile) {
  FailureOr<linalg::ConvolutionDimensions> dims =
      linalg::inferConvolutionDims(tile);
  if (failed(dims) || dims->strides.size() != 2)
    return failure();
  OpBuilder b(tile);
  Location loc = tile.getLoc();
  SmallVector<ReassociationIndices> lastTwo = {{0}, {1}, {2}, {3, 4}};
  SmallVector<ReassociationIndices> firstTwo = {{0, 1}, {2}, {3}, {4}};
  auto collapse = [&](Value v, ArrayRef<ReassociationIndices> groups) {
    return tensor::CollapseShapeOp::create(b, loc, v, groups).getResult();
  };
  Value init = collapse(tile.getDpsInits()[0], lastTwo);
  NamedAttribute attrs[] = {
      b.getNamedAttr("strides", b.getI64TensorAttr(llvm::to_vector_of<int64_t>(
                                    dims->strides))),
      b.getNamedAttr(
          "dilations",
          b.getI64TensorAttr(llvm::to_vector_of<int64_t>(dims->dilations)))};
  auto conv = linalg::Conv2DNhwcHwcfOp::create(
      b, loc, init.getType(),
      ValueRange{collapse(tile.getDpsInputs()[0], lastTwo),
                 collapse(tile.getDpsInputs()[1], firstTwo)},
      init, attrs);
  conv->setAttr("cnnc.vtiled", tile->getAttr("cnnc.vtiled"));
  Value result = tensor::ExpandShapeOp::create(
      b, loc, tile.getResult(0).getType(), conv.getResult(0), lastTwo);
  tile.getResult(0).replaceAllUsesWith(result);
  tile.erase();
  return success();
}

/// The second half: the tagged tile's reduction loops (one kernel row and
/// `t.reduction` input channels a step), 2-D to 1-D, vectorised.
std::string vectorizeSchedule(int64_t id, bool depthwise, TileSizes t) {
  std::string reduction =
      depthwise ? "0, 0, 0, 0, 1, 0"
                : fmt::format("0, 0, 0, 0, 1, 0, {}", t.reduction);
  return fmt::format(R"(
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %conv_t = transform.structured.match attributes{{cnnc.vtiled = {3} : i64}} in %root : (!transform.any_op) -> !transform.any_op
    %forall = transform.get_parent_op %conv_t {{op_name = "scf.forall"}} : (!transform.any_op) -> !transform.any_op
    %red_t, %r0{1} = transform.structured.tile_using_for %conv_t tile_sizes [{0}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op{2})
    %conv1d = transform.structured.decompose %red_t : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %conv1d : !transform.any_op)",
                     reduction,
                     // One tiled reduction loop (kh) or two (kh, c).
                     depthwise ? "" : ", %r1",
                     depthwise ? "" : ", !transform.any_op", id) +
         kTagLoop.str();
}

/// A blocked dense layer: register tiles of `rows` x `blocks` weight blocks
/// form the thread-level forall (the epilogue, when there is one, is the
/// root with the product and its bias init fused in), the reduction goes
/// `depth` at a time, and the tile vectorises to outer-product FMAs, a
/// block's weights read as one contiguous stream. `rowsInner` (a batch
/// without epilogue): the forall is (batch, weight block tile, row tile).
std::string denseSchedule(int64_t id, bool hasEpilogue, int64_t rows,
                          int64_t blocks, int64_t depth, bool batched,
                          bool rowsInner) {
  // A batch is tiled one at a time.
  std::string one = batched ? "1, " : "", zero = batched ? "0, " : "";
  std::string tileRoot = hasEpilogue ? fmt::format(R"(
    %root_t, %tiles = transform.structured.tile_using_forall %epi tile_sizes [{2}{0}, {1}, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op))",
                                                   rows, blocks, one) +
                                           kFuseIntoTiles.str()
                         : rowsInner ? fmt::format(R"(
    %conv_i = transform.structured.interchange %conv iterator_interchange = [0, 2, 1, 3, 4] : (!transform.any_op) -> !transform.any_op
    %conv_ti, %tiles = transform.structured.tile_using_forall %conv_i tile_sizes [1, {1}, {0}, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %conv_t = transform.structured.interchange %conv_ti iterator_interchange = [0, 2, 1, 3, 4] : (!transform.any_op) -> !transform.any_op
)",
                                                   rows, blocks) +
                                           kFuseInitIntoTiles.str()
                                     : fmt::format(R"(
    %conv_t, %tiles = transform.structured.tile_using_forall %conv tile_sizes [{2}{0}, {1}, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
                                                   rows, blocks, one) +
                                           kFuseInitIntoTiles.str();
  return scheduleHead(id) +
         fmt::format(R"(
    {1}
    %red_t, %r0 = transform.structured.tile_using_for %conv_t tile_sizes [{3}0, 0, {2}, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %forall = transform.get_parent_op %red_t {{op_name = "scf.forall"}} : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %red_t : !transform.any_op
    // The vectoriser writes the product as multiply + multi_reduction of
    // the input read as a broadcast; as a contraction of the input vector
    // with weight rows it lowers to FMAs with a broadcast operand.
    transform.apply_patterns to %forall {{
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.reduction_to_contract
    }} : !transform.any_op)",
                     id, tileRoot, depth, zero) +
         kTagLoop.str();
}

struct VectorizeConv : cnnc::impl::VectorizeConvBase<VectorizeConv> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    RewritePatternSet patterns(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
    cleanupPatterns = std::move(patterns);
    return success();
  }

  /// After each op's schedule: canonicalise its thread-level loop (tagged
  /// by the schedule), the ops in it and its neighbours (the producers of
  /// its operands, the users of its results), then CSE the function. Done
  /// once at the end instead, over the whole model, the later schedules
  /// see uncleaned loops and the code is slower; canonicalising the whole
  /// function after each op, compile time grows with the square of the
  /// layer count.
  void cleanUp(ModuleOp module) {
    scf::ForallOp loop;
    module.walk([&](scf::ForallOp op) {
      if (op->hasAttr("cnnc.vloop"))
        loop = op;
    });
    if (!loop)
      return;
    loop->removeAttr("cnnc.vloop");
    auto func = loop->getParentOfType<func::FuncOp>();
    SmallVector<Operation *> ops;
    for (Value operand : loop->getOperands())
      if (Operation *def = operand.getDefiningOp())
        ops.push_back(def);
    loop->walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *user : loop->getUsers())
      ops.push_back(user);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    (void)applyOpPatternsGreedily(ops, cleanupPatterns, config);
    // Constants to the function's entry, as canonicalising the function
    // leaves them: loop-invariant-subset-hoisting then finds the
    // accumulators' indices defined outside the reduction loops.
    Block &entry = func.getBody().front();
    func.walk([&](Operation *op) {
      if (op->hasTrait<OpTrait::ConstantLike>() && op->getBlock() != &entry)
        op->moveBefore(&entry, entry.begin());
    });
    IRRewriter rewriter(module.getContext());
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, func);
  }

  FrozenRewritePatternSet cleanupPatterns;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (vectorBits < 32 || vectorBits % 32) {
      module.emitError()
          << "cnnc-vectorize-conv: vector-bits must be a multiple of 32";
      return signalPassFailure();
    }
    int64_t lanes = vectorBits / 32;
    SmallVector<linalg::LinalgOp> convs;
    module.walk([&](linalg::LinalgOp conv) {
      if (cnnc::isTiledAsConv(conv) && cnnc::getConvSchedule(conv))
        convs.push_back(conv);
    });
    OpBuilder b(module.getContext());
    for (auto [id, conv] : llvm::enumerate(convs)) {
      auto out = cast<RankedTensorType>(conv->getResult(0).getType());
      Operation *init = conv.getDpsInits()[0].getDefiningOp();
      std::optional<ConvSchedule> schedule = cnnc::getConvSchedule(conv);
      if (!out.hasStaticShape() || !init ||
          !isa<linalg::FillOp, linalg::BroadcastOp>(init) || !schedule)
        continue;
      conv->removeAttr("cnnc.schedule");
      // CSE may share one bias broadcast between convs, or one empty
      // destination between the init and the epilogue; fusion wants each
      // conv's own.
      b.setInsertionPoint(conv);
      if (!init->getResult(0).hasOneUse()) {
        init = b.clone(*init);
        conv.getDpsInitsMutable()[0].assign(init->getResult(0));
      }
      OpOperand &dest =
          cast<DestinationStyleOpInterface>(init).getDpsInitsMutable()[0];
      if (auto empty = dest.get().getDefiningOp<tensor::EmptyOp>();
          empty && !empty->hasOneUse()) {
        b.setInsertionPoint(init);
        dest.assign(b.clone(*empty)->getResult(0));
      }
      auto [pooling, depthwise, grouped, dense, batch, block, width, channels,
            inChannels, kernelWidth] = cnnc::tiledConvShape(conv);
      auto merged = conv->getAttrOfType<IntegerAttr>("cnnc.grouped_conv");
      TileSizes tiles = schedule->tiles;
      TileOrder order = schedule->order;
      linalg::GenericOp epilogue = epilogueOf(conv);
      auto tag = b.getI64IntegerAttr(id);
      conv->setAttr("cnnc.vconv", tag);
      init->setAttr("cnnc.vinit", tag);
      if (epilogue)
        epilogue->setAttr("cnnc.vepi", tag);
      Location loc = conv->getLoc();
      // From here on `conv` (and `epilogue`) may be gone: tiled and erased.
      bool blockedWeights = false;
      bool applied = succeeded(cnnc::applyTransformScript(
          module, dense ? denseSchedule(id, epilogue != nullptr, tiles.pixels,
                                        tiles.channels / block, tiles.reduction,
                                        batch, order == TileOrder::RowsInner)
                  : grouped
                      ? groupedTileSchedule(id, epilogue != nullptr, tiles)
                      : tileSchedule(id, epilogue != nullptr, depthwise, order,
                                     tiles)));
      if (applied && !dense) {
        linalg::LinalgOp tiled;
        module.walk([&](linalg::LinalgOp op) {
          if (op->getAttr("cnnc.vtiled") == tag)
            tiled = op;
        });
        if (grouped)
          applied = tiled &&
                    succeeded(groupTileAsConv(cast<linalg::GenericOp>(*tiled)));
        // Between tiling and vectorising, a tile narrower than the layer
        // reads its weights from a copy blocked by the tile's channels.
        blockedWeights =
            applied && tiled && !grouped && !depthwise &&
            tiles.channels < channels &&
            succeeded(cnnc::readWeightsInBlocks(tiled, tiles.channels));
        applied =
            applied && succeeded(cnnc::applyTransformScript(
                           module, vectorizeSchedule(id, depthwise, tiles)));
      }
      if (applied)
        cleanUp(module);
      if (!report)
        continue;
      if (!applied) {
        emitRemark(loc) << "not vectorized (the schedule did not apply)";
        continue;
      }
      int64_t vectors = (tiles.channels + lanes - 1) / lanes;
      std::string reduction =
          pooling ? "window 1 row at a time"
                  : fmt::format("reduction {}{} ch", dense ? "" : "1 row x ",
                                depthwise ? 1 : tiles.reduction);
      std::string groups =
          grouped
              ? fmt::format("grouped: {} groups of {} -> {} ch{}, a conv per "
                            "group; ",
                            out.getDimSize(3), inChannels, channels,
                            merged.getInt() > 1
                                ? fmt::format(" ({} merged, block-diagonal)",
                                              merged.getInt())
                                : "")
              : "";
      emitRemark(loc)
          << groups
          << fmt::format(
                 "vectorized: tile {} {} x {} ch ({} accumulators of {} x "
                 "f32), "
                 "{}{}{}{}",
                 tiles.pixels, dense ? (batch ? "blocks" : "rows") : "px",
                 tiles.channels, tiles.pixels * vectors,
                 std::min(tiles.channels, lanes), reduction,
                 epilogue ? ", epilogue fused" : "",
                 order == TileOrder::RowsInner       ? ", row tiles inner"
                 : order == TileOrder::ChannelsOuter ? ", channel tiles outer"
                 : order == TileOrder::ColumnsOuter  ? ", column strips outer"
                                                     : "",
                 blockedWeights ? fmt::format(", weights in blocks of {} ch",
                                              tiles.channels)
                                : "");
    }
    // The tags have done their job.
    module.walk([](Operation *op) {
      for (StringRef name : {"cnnc.schedule", "cnnc.vconv", "cnnc.vinit",
                             "cnnc.vepi", "cnnc.vtiled"})
        op->removeAttr(name);
    });
  }
};

} // namespace
