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
