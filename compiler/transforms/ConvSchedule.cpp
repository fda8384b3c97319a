//===- ConvSchedule.cpp - a convolution's schedule, kept on the op --------===//

#include "compiler/transforms/ConvSchedule.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

static constexpr llvm::StringLiteral kScheduleAttr = "cnnc.schedule";

static llvm::StringRef orderName(cnnc::TileOrder order) {
  switch (order) {
  case cnnc::TileOrder::Rows:
    return "rows";
  case cnnc::TileOrder::ChannelsOuter:
    return "channels_outer";
  case cnnc::TileOrder::ColumnsOuter:
    return "columns_outer";
  case cnnc::TileOrder::RowsInner:
    return "rows_inner";
  }
  llvm_unreachable("unknown tile order");
}

void cnnc::setConvSchedule(Operation *op, const ConvSchedule &schedule) {
  Builder b(op->getContext());
  const TileSizes &t = schedule.tiles;
  op->setAttr(
      kScheduleAttr,
      b.getDictionaryAttr(
          {b.getNamedAttr("order", b.getStringAttr(orderName(schedule.order))),
           b.getNamedAttr("tile", b.getDenseI64ArrayAttr(
                                      {t.pixels, t.channels, t.reduction}))}));
}

std::optional<cnnc::ConvSchedule> cnnc::getConvSchedule(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kScheduleAttr);
  if (!dict)
    return std::nullopt;
  auto tile = dict.getAs<DenseI64ArrayAttr>("tile");
  auto order = dict.getAs<StringAttr>("order");
  if (!tile || tile.size() != 3 || !order)
    return std::nullopt;
  std::optional<TileOrder> parsed =
      llvm::StringSwitch<std::optional<TileOrder>>(order.getValue())
          .Case("rows", TileOrder::Rows)
          .Case("channels_outer", TileOrder::ChannelsOuter)
          .Case("columns_outer", TileOrder::ColumnsOuter)
          .Case("rows_inner", TileOrder::RowsInner)
          .Default(std::nullopt);
  if (!parsed || tile[0] < 1 || tile[1] < 1 || tile[2] < 1)
    return std::nullopt;
  return ConvSchedule{{tile[0], tile[1], tile[2]}, *parsed};
}

std::optional<int64_t> cnnc::blockedDenseBatch(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp>(op) || op.getNumReductionLoops() != 1 ||
      op.getNumDpsInputs() != 2 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  int64_t batch = op.getNumLoops() - 4;
  if (batch < 0 || batch > 1 ||
      op.getRank(op.getDpsInputOperand(1)) != 3 + batch ||
      op.getRank(op.getDpsInitOperand(0)) != 3 + batch)
    return std::nullopt;
  return batch;
}

bool cnnc::isTiledAsConv(linalg::LinalgOp op) {
  return (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp,
              linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op) ||
          op->hasAttr("cnnc.grouped_conv") || blockedDenseBatch(op)) &&
         op.hasPureTensorSemantics();
}

cnnc::TiledConvShape cnnc::tiledConvShape(linalg::LinalgOp op) {
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  auto in = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto weight = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  TiledConvShape s;
  s.pooling = isa<linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op);
  s.depthwise = s.pooling || isa<linalg::DepthwiseConv2DNhwcHwcOp>(op);
  s.grouped = op->hasAttr("cnnc.grouped_conv");
  std::optional<int64_t> denseBatch =
      s.grouped ? std::nullopt : blockedDenseBatch(op);
  s.dense = denseBatch.has_value();
  s.batch = denseBatch.value_or(0);
  s.block = s.dense ? out.getDimSize(2 + s.batch) : 1;
  s.width = out.getDimSize(s.dense ? s.batch : 2);
  s.channels = s.dense     ? out.getDimSize(1 + s.batch) * s.block
               : s.grouped ? out.getDimSize(4)
                           : out.getDimSize(3);
  s.inChannels = in.getDimSize(s.dense ? 1 + s.batch : s.grouped ? 4 : 3);
  // HWCF, HWC, GHWCF and window shapes.
  s.kernelWidth = s.dense ? 1 : weight.getDimSize(s.grouped ? 2 : 1);
  return s;
}
