//===- VectorizeBufferOps.cpp - sequential buffer ops as vector rows ------===//
//
// What is left on buffers outside the thread-level loops (the border fills
// of padded buffers, the copies of concat and pad, bias broadcasts, simple
// maps) would become scalar loop nests, and LLVM vectorises some of them
// across the outer dimension with scatters (the column borders of a padded
// NHWC buffer: a row's channels a store). Here each op is tiled to its
// innermost dimension and vectorised: one row of whole-vector stores per
// iteration (a long row in chunks), the outer dimensions in an scf.forall when
// every loop is parallel (the thread pool's, or outlined and called), else in
// scf.for loops.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/TileSizes.h"
#include "compiler/transforms/TransformScript.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cnnc {
#define GEN_PASS_DEF_VECTORIZEBUFFEROPS
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct VectorizeBufferOps
    : cnnc::impl::VectorizeBufferOpsBase<VectorizeBufferOps> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && !op.hasDynamicShape() &&
          op.getNumLoops() > 0 && !op->getParentOfType<scf::ForallOp>() &&
          isa<linalg::FillOp, linalg::CopyOp, linalg::BroadcastOp,
              linalg::MapOp, linalg::GenericOp>(op))
        ops.push_back(op);
    });
    // Ops with the same schedule share one script, a foreach over them: a
    // script per op, each matching over the whole module, makes the pass
    // quadratic in the op count.
    // An elementwise layer is tagged with its index too: tiling keeps the
    // tag, vectorising removes the op, so a tagged linalg op left over is a
    // layer --report says was not vectorised.
    llvm::StringMap<int64_t> groupOf;
    SmallVector<std::string> schedules;
    struct Layer {
      Location loc;
      int64_t row;
    };
    SmallVector<Layer> layers;
    Builder b(module.getContext());
    for (Operation *op : ops) {
      SmallVector<int64_t> ranges =
          cast<linalg::LinalgOp>(op).getStaticLoopRanges();
      std::string tiles = schedule(ranges, isParallel(op));
      auto [it, added] = groupOf.try_emplace(tiles, schedules.size());
      if (added)
        schedules.push_back(tiles);
      op->setAttr(kGroup, b.getI64IntegerAttr(it->second));
      if (isa<linalg::GenericOp, linalg::MapOp>(op)) {
        op->setAttr(kLayer, b.getI64IntegerAttr(layers.size()));
        layers.push_back({op->getLoc(), ranges.back()});
        continue;
      }
      // Fills and copies serve a layer (a padded input's border, a concat's
      // parts): named apart so that --report's row for the layer keeps the
      // layer's own remarks, not those of its loops.
      op->setLoc(NameLoc::get(b.getStringAttr("data movement"), op->getLoc()));
    }
    // A failure (a generic the vectoriser does not take, such as an
    // upsample's index arithmetic) leaves the op as it was, or tiled: scalar
    // loops; the others of its group go on.
    for (auto [group, tiles] : llvm::enumerate(schedules))
      (void)cnnc::applyTransformScript(module, script(group, tiles));
    llvm::DenseSet<int64_t> scalar;
    module.walk([&](Operation *op) {
      if (auto layer = op->getAttrOfType<IntegerAttr>(kLayer);
          layer && isa<linalg::LinalgOp>(op))
        scalar.insert(layer.getInt());
      op->removeAttr(kGroup);
      op->removeAttr(kLayer);
    });
    if (!report)
      return;
    for (auto [index, layer] : llvm::enumerate(layers))
      emitRemark(layer.loc)
          << (scalar.contains(index)
                  ? Twine("scalar loops")
                  : "vectorized: rows of " + Twine(layer.row) + " elements");
  }

  static constexpr llvm::StringLiteral kGroup = "cnnc.vbuffer";
  static constexpr llvm::StringLiteral kLayer = "cnnc.vbuffer.layer";

  /// Every loop parallel (an elementwise layer, a fill, a copy): its rows
  /// are independent, so its outer loops form an scf.forall, which
  /// cnnc-parallelize runs on the pool or, too small for it, outlines and
  /// calls (the model's function stays a sequence of calls: LLVM's loop
  /// analyses took minutes on one with thousands of loops).
  static bool isParallel(Operation *op) {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    return linalgOp.getNumParallelLoops() == linalgOp.getNumLoops();
  }

  /// The tiling of an op with loop `ranges`, from %op to %row: a
  /// thread-level scf.forall over the outer dimensions when every loop is
  /// `parallel`, else one scf.for per outer dimension; the innermost
  /// dimension whole or in chunks (rowChunk), one more loop over them.
  static std::string schedule(ArrayRef<int64_t> ranges, bool parallel) {
    SmallVector<int64_t> outer(ranges.size(), 0), sizes(ranges.size(), 1);
    if (parallel)
      for (size_t d = 0; d + 1 < ranges.size(); ++d)
        if (ranges[d] > 1) {
          outer[d] = 1;
          sizes[d] = 0;
        }
    int64_t row = ranges.back();
    sizes.back() = cnnc::rowChunk(row);
    std::string tile = "%tiled = transform.cast %op : !transform.any_op to "
                       "!transform.any_op\n";
    if (llvm::any_of(outer, [](int64_t s) { return s; }))
      tile = fmt::format(
          "%tiled, %forall = transform.structured.tile_using_forall %op "
          "tile_sizes [{}] : (!transform.any_op) -> (!transform.any_op, "
          "!transform.any_op)\n",
          fmt::join(outer, ", "));
    if (size_t loops = llvm::count_if(sizes, [](int64_t s) { return s; })) {
      std::string types;
      for (size_t i = 0; i < loops; ++i)
        types += ", !transform.any_op";
      tile +=
          fmt::format("%row, %loops:{} = transform.structured.tile_using_for "
                      "%tiled tile_sizes [{}] : (!transform.any_op) -> "
                      "(!transform.any_op{})",
                      loops, fmt::join(sizes, ", "), types);
    } else {
      tile += "%row = transform.cast %tiled : !transform.any_op to "
              "!transform.any_op";
    }
    return tile;
  }

  /// The script: each op tagged `group`, tiled by `tiles` and vectorised,
  /// one op's failure leaving the others to go on.
  static std::string script(int64_t group, StringRef tiles) {
    return fmt::format(R"(
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %ops = transform.structured.match attributes{{cnnc.vbuffer = {0} : i64}} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {{
    ^bb0(%each: !transform.any_op):
      transform.sequence %each : !transform.any_op failures(suppress) {{
      ^bb1(%op: !transform.any_op):
        {1}
        transform.structured.vectorize %row : !transform.any_op
      }}
      transform.yield
    }}
    transform.yield
  }}
}}
)",
                       group, tiles.str());
  }
};

} // namespace
