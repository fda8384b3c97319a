//===- CnnPrinter.h - the cnn dialect as .cnn source ------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_CNNPRINTER_H
#define CNNC_FRONTEND_CNNPRINTER_H

#include "compiler/weights/SafeTensorsWriter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnnc {

struct CnnText {
  std::string source;
  /// The layers' parameters under the names the source gives them
  /// (`conv1.weight`, `bn1.running_var`, ...); empty when there are none.
  std::vector<NamedTensor> weights;
};

/// `model` (a function of cnn ops, as either front end builds it) as .cnn
/// source that compiles back to the same function: a statement per layer
/// or op, ops that only continue a value as pipe stages, layers named after
/// their weights or ONNX nodes, other constants as tensor literals.
/// The source's `weights` line names `weightsFile` (relative to the source)
/// when there are parameters. `origin` goes into the header comment. Emits
/// an error at the op and fails for what the language cannot say.
mlir::FailureOr<CnnText> printCnnText(mlir::func::FuncOp model,
                                      llvm::StringRef weightsFile,
                                      llvm::StringRef origin);

} // namespace cnnc

#endif // CNNC_FRONTEND_CNNPRINTER_H
