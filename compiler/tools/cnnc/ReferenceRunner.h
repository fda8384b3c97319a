//===- ReferenceRunner.h - cnnc --reference -----------------------*- C++
//-*-===//

#ifndef CNNC_TOOLS_CNNC_REFERENCERUNNER_H
#define CNNC_TOOLS_CNNC_REFERENCERUNNER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnnc {

/// Reads each model input from `NAME=FILE.npy` (or `FILE.npy` when the model
/// has one input), evaluates `model` with the reference evaluator, and
/// writes the outputs named in `outputs` as .npy, printing the others.
mlir::LogicalResult runReference(mlir::func::FuncOp model,
                                 llvm::ArrayRef<std::string> inputs,
                                 llvm::ArrayRef<std::string> outputs);

} // namespace cnnc

#endif // CNNC_TOOLS_CNNC_REFERENCERUNNER_H
