//===- Evaluator.h - naive reference evaluator of cnn functions -*- C++ -*-===//
//
// The numerical oracle that tests compare compiled code against: it runs a
// function of `cnn` ops with plain loops in double precision, independently of
// the compiler's lowering.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_REFERENCE_EVALUATOR_H
#define CNNC_REFERENCE_EVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace cnnc::reference {

struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<double> data; // row-major
};

/// Runs `func` (cnn ops + func.return) on `inputs` (one per argument, shapes
/// already checked by the caller against the argument types). Emits a
/// diagnostic and fails on an op it cannot evaluate.
mlir::FailureOr<llvm::SmallVector<Tensor>>
evaluate(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> inputs);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_EVALUATOR_H
