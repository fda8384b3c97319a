//===- TransformScript.h - run a transform-dialect script -------*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_TRANSFORMSCRIPT_H
#define CNNC_TRANSFORMS_TRANSFORMSCRIPT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace cnnc {

/// Parses `script` (a module holding `@__transform_main`) and applies it to
/// `module`, its diagnostics silenced. A failure (an op a transform does not
/// handle) leaves the payload as far as the script got, which is still
/// correct code: tiled, or untouched.
mlir::LogicalResult applyTransformScript(mlir::ModuleOp module,
                                         llvm::StringRef script);

/// For each of `ops` in turn: tags it with the attribute `tag` = its index
/// and applies the script `scheduleOf(index, op)` returns (which matches
/// the op by that tag); a script that fails leaves its op as far as it got.
/// The tags are removed at the end.
void applyToEach(
    mlir::ModuleOp module, llvm::ArrayRef<mlir::Operation *> ops,
    llvm::StringRef tag,
    llvm::function_ref<std::string(int64_t, mlir::Operation *)> scheduleOf);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_TRANSFORMSCRIPT_H
