//===- Epilogue.cpp - the bias and elementwise op of a conv ---------------===//

#include "compiler/transforms/Epilogue.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"

using namespace mlir;

linalg::GenericOp cnnc::epilogueOf(linalg::LinalgOp conv) {
  Value result = conv->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!generic || !linalg::isElementwise(generic) ||
      generic.getNumDpsInputs() == 0 ||
      generic.getDpsInputOperand(0)->get() != result ||
      generic.getResult(0).getType() != result.getType())
    return nullptr;
  return generic;
}

linalg::GenericOp cnnc::vectorizableEpilogueOf(linalg::LinalgOp conv) {
  linalg::GenericOp generic = epilogueOf(conv);
  Type out = conv->getResult(0).getType();
  if (!generic || generic.getNumDpsInits() != 1 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      llvm::any_of(generic.getDpsInputs(),
                   [&](Value v) { return v.getType() != out; }) ||
      generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)))
    return nullptr;
  for (Operation &op : generic.getBody()->without_terminator())
    if (!op.hasTrait<OpTrait::ConstantLike>() &&
        (!OpTrait::hasElementwiseMappableTraits(&op) || op.getNumRegions()))
      return nullptr;
  return generic;
}

Value cnnc::biasOf(linalg::LinalgOp conv) {
  Operation *init = conv.getDpsInits()[0].getDefiningOp();
  if (auto broadcast = dyn_cast_if_present<linalg::BroadcastOp>(init);
      broadcast && broadcast.getDimensions() == ArrayRef<int64_t>{0, 1, 2})
    return broadcast.getInput();
  if (auto fill = dyn_cast_if_present<linalg::FillOp>(init))
    return fill.getInputs()[0];
  return nullptr;
}
