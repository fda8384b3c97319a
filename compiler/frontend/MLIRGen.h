//===- MLIRGen.h - .cnn AST to the cnn dialect ------------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_MLIRGEN_H
#define CNNC_FRONTEND_MLIRGEN_H

#include "compiler/frontend/AST.h"
#include "compiler/weights/WeightSource.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace cnnc {

/// Builds a module holding one `func.func @<model>` whose arguments are the
/// model inputs and whose results are its outputs (each named by a
/// `cnn.name` attribute). Every op is located at its .cnn source; ops made
/// inside a block carry a call-site location. Returns null after emitting
/// diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          const llvm::SourceMgr &sourceMgr,
                                          const ModelAST &model,
                                          WeightSource &weights);

/// Whether `name` is an op of the .cnn language (`conv2d`, `relu`, ...).
bool isBuiltinOp(llvm::StringRef name);

} // namespace cnnc

#endif // CNNC_FRONTEND_MLIRGEN_H
