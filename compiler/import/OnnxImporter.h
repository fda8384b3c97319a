//===- OnnxImporter.h - .onnx models to the cnn dialect ---------*- C++ -*-===//

#ifndef CNNC_IMPORT_ONNXIMPORTER_H
#define CNNC_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cnnc {

struct OnnxImportOptions {
  /// Input shapes, by input name (--input-shape): they fix an input's
  /// symbolic dimensions and must agree with its static ones.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// The size of every input's symbolic first dimension (--batch).
  std::optional<int64_t> batch;
  /// External data may be read from anywhere (--allow-external-path), not
  /// only from the model's directory.
  bool allowExternalPaths = false;
};

/// Builds the module MLIRGen would build for the model in `path`: one
/// `func.func` named after the file, initializers as `cnn.weight`s. Errors
/// (unparsable file, unsupported ops, dynamic shapes) are emitted through the
/// context's diagnostics, located at `path`, and give a null module.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnx(mlir::MLIRContext &context, llvm::StringRef path,
           const OnnxImportOptions &options = {});

} // namespace cnnc

#endif // CNNC_IMPORT_ONNXIMPORTER_H
