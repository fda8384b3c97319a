//===- WeightBlocks.cpp - output-channel blocked conv weights -------------===//
//
// In HWCF a register tile of 32 output channels reads 128-byte pieces of
// each weight row, F * 4 bytes apart: for 512 filters, 2 KB strides that
// defeat the prefetchers and touch a page every few rows. In blocks of the
// tile's width the same weights are one contiguous stream. The blocked
// constant is made at compile time, once per conv; the tile code stays one
// loop body for all blocks.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/WeightBlocks.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

std::optional<std::vector<float>> cnnc::constantValues(ElementsAttr attr) {
  std::vector<float> values(attr.getNumElements());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != values.size() * sizeof(float))
      return std::nullopt;
    std::memcpy(values.data(), blob->getData().data(),
                values.size() * sizeof(float));
    return values;
  }
  if (auto floats = attr.tryGetValues<float>()) {
    llvm::copy(*floats, values.begin());
    return values;
  }
  return std::nullopt;
}

namespace {

/// The values of `hwcf` (of shape `type`, stored in any shape) reordered as
/// [F / block, KH, KW, C, block], as `storedType`, named after it.
ElementsAttr blocked(ElementsAttr hwcf, RankedTensorType type,
                     RankedTensorType storedType, int64_t block) {
  if (auto splat = dyn_cast<SplatElementsAttr>(hwcf))
    return SplatElementsAttr::get(storedType, splat.getSplatValue<Attribute>());
  std::optional<std::vector<float>> values = cnnc::constantValues(hwcf);
  if (!values)
    return nullptr;
  int64_t f = type.getDimSize(3), rows = type.getNumElements() / f;
  std::vector<float> packed(values->size());
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t fi = 0; fi < f; ++fi)
      packed[((fi / block) * rows + row) * block + fi % block] =
          (*values)[row * f + fi];
  std::string name = "weight";
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(hwcf))
    name = resource.getRawHandle().getKey().str();
  name += ".f" + std::to_string(block);
  return ElementsAttr(DenseF32ResourceElementsAttr::get(
      storedType, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(packed))));
}

} // namespace

LogicalResult cnnc::readWeightsInBlocks(linalg::LinalgOp conv, int64_t block) {
  OpOperand *weightOperand = conv.getDpsInputOperand(1);
  auto slice = weightOperand->get().getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice)
    return failure();
  // Constants are stored flat and expanded (see convert-cnn-to-linalg).
  Value stored = slice.getSource();
  auto expand = stored.getDefiningOp<tensor::ExpandShapeOp>();
  if (expand)
    stored = expand.getSrc();
  if (expand && cast<RankedTensorType>(stored.getType()).getRank() != 1)
    return failure();
  ElementsAttr hwcf;
  if (!matchPattern(stored, m_Constant(&hwcf)))
    return failure();
  RankedTensorType type = slice.getSourceType();
  SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
  // The tile: whole kernel rows and input channels, `block` aligned output
  // channels, unit strides.
  if (type.getRank() != 4 || type.getDimSize(3) % block ||
      !slice.hasUnitStride() ||
      slice.getType().getShape() !=
          ArrayRef<int64_t>{type.getDimSize(0), type.getDimSize(1),
                            type.getDimSize(2), block} ||
      llvm::any_of(ArrayRef(offsets).take_front(3),
                   [](OpFoldResult o) { return !isZeroInteger(o); }))
    return failure();
  SmallVector<int64_t> blockedShape = {type.getDimSize(3) / block};
  llvm::append_range(blockedShape, slice.getType().getShape());
  auto blockedType = RankedTensorType::get(blockedShape, type.getElementType());
  // Stored the way the HWCF constant is: flat, or in its own shape.
  auto storedType =
      expand ? cast<RankedTensorType>(stored.getType()) : blockedType;
  ElementsAttr packed = blocked(hwcf, type, storedType, block);
  if (!packed)
    return failure();
  OpBuilder b(slice);
  Location loc = slice.getLoc();
  // Beside the HWCF constant, which is dead once every tile reads this one.
  b.setInsertionPointAfterValue(slice.getSource());
  Value blocks = arith::ConstantOp::create(b, loc, packed);
  if (expand)
    blocks = tensor::ExpandShapeOp::create(
        b, loc, blockedType, blocks,
        SmallVector<ReassociationIndices>{{0, 1, 2, 3, 4}});
  b.setInsertionPoint(slice);
  AffineExpr d0 = b.getAffineDimExpr(0);
  SmallVector<OpFoldResult> blockOffsets(5, b.getIndexAttr(0));
  blockOffsets[0] = affine::makeComposedFoldedAffineApply(
      b, loc, d0.floorDiv(block), {offsets[3]});
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  llvm::append_range(sizes, slice.getMixedSizes());
  Value tile = tensor::ExtractSliceOp::create(
      b, loc, slice.getType(), blocks, blockOffsets, sizes,
      SmallVector<OpFoldResult>(5, b.getIndexAttr(1)));
  weightOperand->set(tile);
  if (slice->use_empty())
    slice->erase();
  return success();
}
