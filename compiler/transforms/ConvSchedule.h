//===- ConvSchedule.h - a convolution's schedule, kept on the op -*- C++
//-*-===//
//
// cnnc-select-conv-schedule decides each convolution's schedule (register
// tile, tile order) and records it on the op as `cnnc.schedule`;
// cnnc-vectorize-conv applies what it reads there.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_CONVSCHEDULE_H
#define CNNC_TRANSFORMS_CONVSCHEDULE_H

#include "compiler/transforms/TileSizes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace cnnc {

/// The order of a conv's register tiles in its thread-level loop (the
/// thread pool runs them in that order, each thread a contiguous share).
enum class TileOrder {
  Rows,          // (n, oh, ow, c): row by row
  ChannelsOuter, // (n, c, oh, ow): a weight slice reused down all rows
  ColumnsOuter,  // (n, ow, oh, c): down strips of the tile's width
  RowsInner,     // a batch of dense products: (b, weight block, row tile)
};

struct ConvSchedule {
  TileSizes tiles;
  TileOrder order = TileOrder::Rows;
};

/// Records `schedule` on `op` as `cnnc.schedule = {tile = array<i64: pixels,
/// channels, reduction>, order = "rows" | "channels_outer" |
/// "columns_outer" | "rows_inner"}`.
void setConvSchedule(mlir::Operation *op, const ConvSchedule &schedule);

/// The schedule recorded on `op`; none when it has none (or a malformed one).
std::optional<ConvSchedule> getConvSchedule(mlir::Operation *op);

/// A dense layer as convert-cnn-to-linalg makes it at -O2: loops
/// (m, nb, k, nl) over [N/B, K, B] blocked weights; or a batch of them,
/// (b, m, nb, k, nl) over [batch, N/B, K, B] (cnnc-winograd's products).
/// The number of batch loops (0 or 1), or nothing for any other op.
std::optional<int64_t> blockedDenseBatch(mlir::linalg::LinalgOp op);

/// The ops register-tiled as convolutions, on tensors: NHWC convs, depthwise
/// convs, NHWC pooling, grouped convs (`cnnc.grouped_conv`) and blocked
/// dense products.
bool isTiledAsConv(mlir::linalg::LinalgOp op);

/// Which of those an op is, and the extents its register tile divides.
/// A grouped conv: loops (n, oh, ow, g, f, kh, kw, c) on [N, OH, OW, G, F/G]
/// outputs and [G, KH, KW, C/G, F/G] weights, tiled one group at a time. A
/// dense layer: rows x output channels, a whole weight block at a time.
struct TiledConvShape {
  bool pooling, depthwise, grouped, dense;
  int64_t batch;       // a dense op's batch loops (0 or 1)
  int64_t block;       // a dense op's weight block (output channels), else 1
  int64_t width;       // output pixels of a row; a dense op's rows
  int64_t channels;    // output channels (of one group)
  int64_t inChannels;  // input channels (of one group)
  int64_t kernelWidth; // kernel or pooling window width (dense: 1)
};

/// `op`'s kind and extents; `op` is tiled as a conv and has static shapes.
TiledConvShape tiledConvShape(mlir::linalg::LinalgOp op);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_CONVSCHEDULE_H
