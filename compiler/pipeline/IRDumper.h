//===- IRDumper.h - one file per pass for --dump-ir -------------*- C++ -*-===//

#ifndef CNNC_PIPELINE_IRDUMPER_H
#define CNNC_PIPELINE_IRDUMPER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassInstrumentation.h"

namespace cnnc {

/// Writes the module after each top-level pass to `DIR/NN-<pass>.mlir`
/// (`00-cnn.mlir` is the input), so stages can be diffed.
class IRDumper : public mlir::PassInstrumentation {
public:
  explicit IRDumper(std::string dir) : dir(std::move(dir)) {}

  /// Creates the directory; call before running passes.
  mlir::LogicalResult start(mlir::ModuleOp module);
  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override;

private:
  void write(llvm::StringRef stage, mlir::Operation *op);

  std::string dir;
  unsigned count = 0;
};

} // namespace cnnc

#endif // CNNC_PIPELINE_IRDUMPER_H
