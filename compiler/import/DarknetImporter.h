//===- DarknetImporter.h - Darknet .cfg + .weights to cnn -------*- C++ -*-===//

#ifndef CNNC_IMPORT_DARKNETIMPORTER_H
#define CNNC_IMPORT_DARKNETIMPORTER_H

#include "compiler/import/DarknetWeights.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>

namespace cnnc {

/// Builds the module MLIRGen would build for the Darknet cfg in the main
/// buffer of `sourceMgr`: one `func.func` named after the file, taking
/// `image` [batch, channels, height, width] and returning the inputs of the
/// heads ([yolo], [region], ...; or the last layer's output), each image
/// computed on its own whatever the cfg's own `batch`. Parameters come
/// from `weights` in cfg order, or from seeded initialisation (`seed`)
/// without a file; they are named `layers.<index>.conv.weight`, ... Every op
/// is located at its section header. Errors are located in the cfg (the
/// section, key or value at fault) and give a null module.
mlir::OwningOpRef<mlir::ModuleOp>
importDarknet(mlir::MLIRContext &context, const llvm::SourceMgr &sourceMgr,
              std::optional<darknet::WeightsFile> weights, uint64_t seed,
              int64_t batch = 1);

} // namespace cnnc

#endif // CNNC_IMPORT_DARKNETIMPORTER_H
