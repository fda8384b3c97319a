//===- SelectConvSchedule.cpp - each convolution's register tile ----------===//
//
// The decisions of the convolution schedule, apart from the code that
// applies them (cnnc-vectorize-conv): per op, the register tile (output
// pixels x output channels, input channels per reduction step) for the
// target's vector registers, and the order of the tiles for its cache.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/ConvSchedule.h"
#include "compiler/transforms/Epilogue.h"
#include "compiler/transforms/ExpandDepthwise.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"

#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_SELECTCONVSCHEDULE
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::ConvSchedule;
using cnnc::largestDivisorAtMost;
using cnnc::TileOrder;
using cnnc::TileSizes;

namespace {

/// Weights larger than this many L2 caches are not expected to stay in
/// cache (a core's L2 and its share of L3) from one row of tiles to the next.
constexpr int64_t kWeightCacheL2s = 4;

/// The layer a conv belongs to: its weight constant's resource name (as
/// MLIRGen and the importers name it; for Winograd products whose weights
/// the runtime transforms, the global's, named after it) up to ".weight";
/// empty if unknown.
std::string layerName(linalg::LinalgOp conv) {
  Value weight = conv.getDpsInputs()[1];
  while (auto expand = weight.getDefiningOp<tensor::ExpandShapeOp>())
    weight = expand.getSrc();
  if (auto toTensor = weight.getDefiningOp<bufferization::ToTensorOp>())
    if (auto global =
            toTensor.getBuffer().getDefiningOp<memref::GetGlobalOp>()) {
      llvm::StringRef key = global.getName();
      return key.substr(0, key.find(".weight")).str();
    }
  DenseResourceElementsAttr blob;
  if (!matchPattern(weight, m_Constant(&blob)))
    return "";
  // The layer's own weight name plus the layout suffix its repacking added
  // (.hwcf, .hwc, .b16: see convert-cnn-to-linalg), as --report names it.
  llvm::StringRef key = blob.getRawHandle().getKey();
  if (!key.consume_back(".hwcf") && !key.consume_back(".hwc")) {
    auto [head, block] = key.rsplit(".b");
    if (!block.empty() && llvm::all_of(block, llvm::isDigit))
      key = head;
  }
  return key.substr(0, key.find(".weight")).str();
}

/// `layer:PIXELSxCHANNELS[xREDUCTION]` from --tile-sizes.
FailureOr<std::pair<std::string, TileSizes>> parseOverride(StringRef text) {
  auto [layer, sizes] = text.rsplit(':');
  SmallVector<StringRef> parts;
  sizes.split(parts, 'x');
  TileSizes tiles{0, 0, 0};
  if (layer.empty() || parts.size() < 2 || parts.size() > 3 ||
      parts[0].getAsInteger(10, tiles.pixels) ||
      parts[1].getAsInteger(10, tiles.channels) ||
      (parts.size() == 3 && parts[2].getAsInteger(10, tiles.reduction)) ||
      tiles.pixels < 1 || tiles.channels < 1 || tiles.reduction < 0)
    return failure();
  return std::make_pair(layer.str(), tiles);
}

struct SelectConvSchedule
    : cnnc::impl::SelectConvScheduleBase<SelectConvSchedule> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (vectorBits < 32 || vectorBits % 32 || vectorRegisters < 4) {
      module.emitError() << "cnnc-select-conv-schedule: vector-bits must be a "
                            "multiple of 32 and vector-registers at least 4";
      return signalPassFailure();
    }
    llvm::StringMap<TileSizes> overrides;
    for (const std::string &text : tileSizes) {
      FailureOr<std::pair<std::string, TileSizes>> entry = parseOverride(text);
      if (failed(entry)) {
        module.emitError() << "bad --tile-sizes entry '" << text
                           << "' (expected LAYER:PIXELSxCHANNELS[xREDUCTION])";
        return signalPassFailure();
      }
      overrides[entry->first] = entry->second;
    }
    llvm::StringSet<> kept; // layers left to cnnc-fuse-expand-depthwise
    WalkResult walk = module.walk([&](linalg::LinalgOp conv) {
      if (!cnnc::isTiledAsConv(conv))
        return WalkResult::advance();
      if (keepExpandDepthwise &&
          cnnc::fusesExpandDepthwise(conv, vectorBits / 32)) {
        kept.insert(layerName(conv));
        return WalkResult::advance();
      }
      FailureOr<std::optional<ConvSchedule>> schedule = select(conv, overrides);
      if (failed(schedule))
        return WalkResult::interrupt();
      if (*schedule)
        cnnc::setConvSchedule(conv, **schedule);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    for (const auto &unused : overrides) {
      if (kept.contains(unused.first()))
        module.emitError() << "--tile-sizes names '" << unused.first()
                           << "', a 1x1 expansion or depthwise conv computed "
                              "fused (their tiles are fixed; --no-fuse tiles "
                              "them apart)";
      else
        module.emitError() << "--tile-sizes names '" << unused.first()
                           << "', which is not a convolution of this model";
      signalPassFailure();
    }
  }

  /// `conv`'s schedule (none for an op the vectoriser cannot tile: dynamic
  /// shapes, an init other than a fill or broadcast), its --tile-sizes
  /// override taken out of `overrides`; failure after an error.
  FailureOr<std::optional<ConvSchedule>>
  select(linalg::LinalgOp conv, llvm::StringMap<TileSizes> &overrides) {
    auto out = cast<RankedTensorType>(conv->getResult(0).getType());
    Operation *init = conv.getDpsInits()[0].getDefiningOp();
    if (!out.hasStaticShape() || !init ||
        !isa<linalg::FillOp, linalg::BroadcastOp>(init))
      return std::optional<ConvSchedule>();
    int64_t lanes = vectorBits / 32;
    // Three quarters of the registers may hold accumulators; a depthwise
    // tile also holds its input window (tw + kw - 1 rows) and weights in
    // registers, with no reuse across channels: a quarter, to avoid
    // spills. Its loads per FMA, (tw + 2 kw - 1) / (kw tw), fall with the
    // tile's width: pixels before channels. Pooling has the same loops (n,
    // oh, ow, c, kh, kw) and schedule.
    int64_t maxAccumulators = vectorRegisters * 3 / 4;
    // A dense layer tiles rows x output channels the way a conv tiles
    // output pixels x output channels, a whole weight block (B channels)
    // at a time: memory bound at batch 1, one stream per tile.
    auto [pooling, depthwise, grouped, dense, batch, block, width, channels,
          inChannels, kernelWidth] = cnnc::tiledConvShape(conv);
    auto weight = cast<RankedTensorType>(conv.getDpsInputs()[1].getType());
    // A batch of products (many rows) takes a conv's 1x1 register tile,
    // with the block its weights were made for.
    TileSizes tiles =
        dense && !batch ? TileSizes{largestDivisorAtMost(width, 4), block,
                                    largestDivisorAtMost(inChannels, 8)}
                        : cnnc::chooseTiles(
                              width, channels, inChannels, kernelWidth,
                              depthwise ? vectorRegisters / 4 : maxAccumulators,
                              depthwise, lanes, vectorRegisters);
    if (batch && tiles.channels != block) {
      tiles.channels = block;
      tiles.pixels = largestDivisorAtMost(
          width, maxAccumulators / ((block + lanes - 1) / lanes));
    }
    if (auto it = overrides.find(layerName(conv)); it != overrides.end()) {
      TileSizes wanted = it->second;
      if (!wanted.reduction)
        wanted.reduction = tiles.reduction;
      if (width % wanted.pixels || channels % wanted.channels ||
          wanted.channels % block ||
          (!depthwise && inChannels % wanted.reduction))
        return conv->emitError()
               << "--tile-sizes for '" << it->first() << "': " << wanted.pixels
               << "x" << wanted.channels << "x" << wanted.reduction
               << " must divide "
               << (dense ? (batch ? "4x4 output blocks" : "output rows")
                         : "output width")
               << " x channels x input channels " << width << "x" << channels
               << "x" << inChannels
               << (dense ? fmt::format(" (channels in blocks of {})", block)
                         : "");
      tiles = wanted;
      overrides.erase(it);
    }
    bool hasEpilogue = cnnc::epilogueOf(conv) != nullptr;
    ConvSchedule schedule{tiles, TileOrder::Rows};
    if (dense) {
      // A batch of products whose weights per batch element pass L2
      // (Winograd's at 512 x 1024 channels: 2 MB a point) takes its row
      // tiles innermost: each weight slice is then read from memory once
      // and from L2 for the other row tiles, instead of once per row tile.
      if (batch && !hasEpilogue && tiles.pixels < width &&
          inChannels * channels * 4 > l2CacheBytes)
        schedule.order = TileOrder::RowsInner;
      return std::optional<ConvSchedule>(schedule);
    }
    // Output-channel tiles go outermost when the weights do not fit in
    // cache: each tile's slice of the weights is then reused across all
    // rows instead of streamed once per row, and each thread reads only
    // its share of the weights. A strided depthwise conv goes down column
    // strips: the input rows of a strip (all channels) stay in L1 from one
    // output row to the next, where row by row only one of kh rows is
    // reused and from L2 (no gain at stride 1, which reuses kh - 1 rows).
    // A grouped conv's tiles read one group's weights: small, reused down
    // the rows. Orders other than rows interchange the epilogue (a
    // linalg.generic): without one, rows.
    if (!hasEpilogue || grouped)
      return std::optional<ConvSchedule>(schedule);
    if (weight.getNumElements() * 4 > kWeightCacheL2s * l2CacheBytes)
      schedule.order = TileOrder::ChannelsOuter;
    else if (auto dw = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*conv);
             dw && dw.getStrides().getValues<int64_t>()[0] > 1)
      schedule.order = TileOrder::ColumnsOuter;
    return std::optional<ConvSchedule>(schedule);
  }
};

} // namespace
