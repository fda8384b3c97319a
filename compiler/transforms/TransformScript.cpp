//===- TransformScript.cpp - run a transform-dialect script ---------------===//

#include "compiler/transforms/TransformScript.h"

#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

using namespace mlir;

LogicalResult cnnc::applyTransformScript(ModuleOp module, StringRef script) {
  ParserConfig config(module.getContext());
  OwningOpRef<ModuleOp> transforms =
      parseSourceString<ModuleOp>(script, config);
  if (!transforms)
    return failure();
  Operation *entry = transforms->lookupSymbol("__transform_main");
  ScopedDiagnosticHandler quiet(module.getContext(),
                                [](Diagnostic &) { return success(); });
  return transform::applyTransformNamedSequence(module, entry, *transforms,
                                                transform::TransformOptions());
}

void cnnc::applyToEach(
    ModuleOp module, ArrayRef<Operation *> ops, StringRef tag,
    function_ref<std::string(int64_t, Operation *)> scheduleOf) {
  Builder b(module.getContext());
  for (auto [id, op] : llvm::enumerate(ops)) {
    // The script is made before the op is tiled away.
    std::string script = scheduleOf(id, op);
    op->setAttr(tag, b.getI64IntegerAttr(id));
    (void)applyTransformScript(module, script);
  }
  module.walk([&](Operation *op) { op->removeAttr(tag); });
}
