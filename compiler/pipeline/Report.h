//===- Report.h - cnnc --report: what the compiler did to each layer -*- C++
//-*-===//

#ifndef CNNC_PIPELINE_REPORT_H
#define CNNC_PIPELINE_REPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassInstrumentation.h"

#include <string>
#include <vector>

namespace cnnc {

/// One row per layer of the optimised cnn-dialect model (as it stands just
/// before convert-cnn-to-linalg: fused, batch-norm folded) with its output
/// shape and FLOPs, plus what the later passes did to it: the remarks that
/// cnnc-vectorize-conv and cnnc-parallelize emit with `report`, matched to
/// the layer by location. Remarks are captured, not printed.
class LayerReport : public mlir::PassInstrumentation {
public:
  explicit LayerReport(mlir::MLIRContext &context);

  void runBeforePass(mlir::Pass *pass, mlir::Operation *op) override;
  /// Takes the layers from `module` (a cnn-dialect module) unless they were
  /// taken before lowering already.
  void snapshot(mlir::ModuleOp module);
  void print(llvm::raw_ostream &os) const;

private:
  struct Layer {
    mlir::Location loc;
    std::string name, where, op, shape;
    int64_t flops;
  };
  std::vector<Layer> layers;
  llvm::DenseMap<mlir::Location, std::vector<std::string>> remarks;
  mlir::ScopedDiagnosticHandler capture;
};

} // namespace cnnc

#endif // CNNC_PIPELINE_REPORT_H
