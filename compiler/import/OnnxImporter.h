//===- OnnxImporter.h - .onnx models to the cnn dialect ---------*- C++ -*-===//

#ifndef CNNC_IMPORT_ONNXIMPORTER_H
#define CNNC_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace cnnc {

/// Builds the module MLIRGen would build for the model in `path`: one
/// `func.func` named after the file, initializers as `cnn.weight`s. Errors
/// (unparsable file, unsupported ops, dynamic shapes) are emitted through the
/// context's diagnostics, located at `path`, and give a null module.
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &context,
                                             llvm::StringRef path);

} // namespace cnnc

#endif // CNNC_IMPORT_ONNXIMPORTER_H
