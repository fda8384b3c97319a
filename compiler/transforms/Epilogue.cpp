//===- Epilogue.cpp - the elementwise op a conv's result feeds ------------===//

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
