//===- Registration.h - dialects and passes cnnc knows ----------*- C++ -*-===//

#ifndef CNNC_PIPELINE_REGISTRATION_H
#define CNNC_PIPELINE_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace cnnc {

/// The cnn dialect, every upstream dialect the pipeline goes through, and
/// their external models (bufferization, LLVM translation).
void registerAllDialects(mlir::DialectRegistry &registry);

/// Our passes and pipelines plus the upstream passes the pipeline uses, so
/// that cnnc-opt can run any stage on its own.
void registerAllPasses();

} // namespace cnnc

#endif // CNNC_PIPELINE_REGISTRATION_H
