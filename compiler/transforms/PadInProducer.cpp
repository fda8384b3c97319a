//===- PadInProducer.cpp - producers write into their consumer's padding
//---===//
//
// A zero-padded conv input is otherwise a second buffer: bufferized,
// `tensor.pad` fills it and copies the whole producer output into it on the
// calling thread (about 10% of MobileNetV2 single-threaded). Here the
// producer's destination becomes the interior of the padded tensor instead,
// so it writes its tiles there directly and the pad is an insert_slice into
// the same subset, which bufferizes to nothing.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"

namespace cnnc {
#define GEN_PASS_DEF_PADINPRODUCER
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Chains of destinations followed from a pad's source to the tensor.empty
/// they start from: at most this many ops (forall <- broadcast <- empty).
constexpr int kMaxChain = 4;

/// The operand that ties `value` to the destination it was written into:
/// the shared_out of a scf.forall result, the init of a linalg op result.
OpOperand *tiedDestination(Value value) {
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return nullptr;
  if (auto forall = dyn_cast<scf::ForallOp>(result.getOwner()))
    return forall.getTiedOpOperand(result);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(result.getOwner());
      dps && dps.hasPureTensorSemantics() && isa<linalg::LinalgOp>(*dps))
    return dps.getTiedOpOperand(result);
  return nullptr;
}

/// The destination operand, somewhere down `value`'s chain of producers,
/// that is a tensor.empty: replacing it by a slice of another tensor makes
/// the whole chain write there.
OpOperand *emptyDestination(Value value) {
  for (int i = 0; i < kMaxChain; ++i) {
    OpOperand *dest = tiedDestination(value);
    if (!dest)
      return nullptr;
    if (dest->get().getDefiningOp<tensor::EmptyOp>())
      return dest;
    value = dest->get();
  }
  return nullptr;
}

/// Index attributes for a slice's static offsets, sizes or strides.
SmallVector<OpFoldResult> indices(OpBuilder &b, ArrayRef<int64_t> values) {
  return getAsIndexOpFoldResult(b.getContext(), values);
}

/// `tensor` with `value` written into the box at `offsets` of `sizes`.
Value fillSlice(OpBuilder &b, Location loc, Value tensor,
                ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                Value value) {
  SmallVector<OpFoldResult> ones(offsets.size(), b.getIndexAttr(1));
  Value slab = tensor::ExtractSliceOp::create(
      b, loc, tensor, indices(b, offsets), indices(b, sizes), ones);
  Value filled = linalg::FillOp::create(b, loc, value, slab).result();
  return tensor::InsertSliceOp::create(
      b, loc, filled, tensor, indices(b, offsets), indices(b, sizes), ones);
}

/// `padded` with `value` written into everything outside the box at `low`
/// of size `interior`: one slab below and one above the box per dimension
/// (earlier dimensions restricted to the box, later ones whole), so each
/// element is written once and the interior not at all.
Value fillBorder(OpBuilder &b, Location loc, Value padded,
                 ArrayRef<int64_t> low, ArrayRef<int64_t> interior,
                 Value value) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(padded.getType()).getShape();
  int64_t rank = shape.size();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t high = shape[d] - low[d] - interior[d];
    for (auto [begin, size] : {std::pair(int64_t(0), low[d]),
                               std::pair(low[d] + interior[d], high)}) {
      if (size == 0)
        continue;
      SmallVector<int64_t> offsets, sizes;
      for (int64_t i = 0; i < rank; ++i) {
        offsets.push_back(i < d ? low[i] : i == d ? begin : 0);
        sizes.push_back(i < d ? interior[i] : i == d ? size : shape[i]);
      }
      padded = fillSlice(b, loc, padded, offsets, sizes, value);
    }
  }
  return padded;
}

/// Whether `value` (or a view of it) is read by a vector.gather (a
/// vectorised resize's taps): its indices are offsets into the tensor taken
/// as contiguous, which the interior of a padded buffer is not.
bool isGathered(Value value) {
  return llvm::any_of(value.getUsers(), [](Operation *user) {
    if (isa<tensor::ExtractSliceOp, tensor::ExpandShapeOp,
            tensor::CollapseShapeOp>(user))
      return isGathered(user->getResult(0));
    return isa<vector::GatherOp>(user);
  });
}

struct PadInProducer : cnnc::impl::PadInProducerBase<PadInProducer> {
  void runOnOperation() override {
    DominanceInfo dominance(getOperation());
    SmallVector<tensor::PadOp> pads;
    getOperation()->walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads) {
      TypedAttr padding;
      if (!pad.getResultType().hasStaticShape() ||
          !pad.getSourceType().hasStaticShape() ||
          ShapedType::isDynamicShape(pad.getStaticLow()) ||
          !matchPattern(pad.getConstantPaddingValue(), m_Constant(&padding)))
        continue;
      OpOperand *dest = emptyDestination(pad.getSource());
      if (!dest || isGathered(pad.getSource()))
        continue;
      // The padded tensor, its border filled with the padding value, is made
      // where the chain starts so that it dominates the producer.
      OpBuilder b(dest->getOwner());
      Location loc = pad.getLoc();
      RankedTensorType type = pad.getResultType();
      ArrayRef<int64_t> low = pad.getStaticLow();
      ArrayRef<int64_t> interior = pad.getSourceType().getShape();
      Value padded =
          fillBorder(b, loc,
                     tensor::EmptyOp::create(b, loc, type.getShape(),
                                             type.getElementType()),
                     low, interior, arith::ConstantOp::create(b, loc, padding));
      SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
      dest->set(tensor::ExtractSliceOp::create(b, loc, padded, indices(b, low),
                                               indices(b, interior), ones));
      b.setInsertionPoint(pad);
      Value source = pad.getSource();
      Value inserted = tensor::InsertSliceOp::create(
          b, loc, source, padded, indices(b, low), indices(b, interior), ones);
      pad.replaceAllUsesWith(inserted);
      pad.erase();
      b.setInsertionPointAfter(inserted.getDefiningOp());
      // Later readers of the producer's result (a residual add) read it
      // from the padded tensor: to one-shot bufferization a read of the
      // result after the insert_slice wrote its buffer is a conflict, which
      // it resolves by copying the result out and back.
      Value interiorView = tensor::ExtractSliceOp::create(
          b, loc, inserted, indices(b, low), indices(b, interior), ones);
      source.replaceUsesWithIf(interiorView, [&](OpOperand &use) {
        return use.getOwner() != inserted.getDefiningOp() &&
               use.getOwner() != interiorView.getDefiningOp() &&
               dominance.properlyDominates(interiorView, use.getOwner());
      });
      if (interiorView.use_empty())
        interiorView.getDefiningOp()->erase();
    }
  }
};

} // namespace
