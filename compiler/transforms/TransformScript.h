//===- TransformScript.h - run a transform-dialect script -------*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_TRANSFORMSCRIPT_H
#define CNNC_TRANSFORMS_TRANSFORMSCRIPT_H

#include "mlir/IR/BuiltinOps.h"

namespace cnnc {

/// Parses `script` (a module holding `@__transform_main`) and applies it to
/// `module`, its diagnostics silenced. A failure (an op a transform does not
/// handle) leaves the payload as far as the script got, which is still
/// correct code: tiled, or untouched.
mlir::LogicalResult applyTransformScript(mlir::ModuleOp module,
                                         llvm::StringRef script);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_TRANSFORMSCRIPT_H
