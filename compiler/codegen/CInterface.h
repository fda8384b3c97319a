//===- CInterface.h - the C interface of a compiled model -------*- C++ -*-===//

#ifndef CNNC_CODEGEN_CINTERFACE_H
#define CNNC_CODEGEN_CINTERFACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

struct TensorSignature {
  std::string name;
  llvm::SmallVector<int64_t, 4> shape;
};

/// What the generated header and executable need to know about a model.
struct ModelSignature {
  std::string name; // also the C symbol prefix
  std::vector<TensorSignature> inputs, outputs;
  int64_t workspaceBytes = 0;
};

/// Reads names and shapes from the model function (`cnn.name` argument and
/// result attributes).
ModelSignature getModelSignature(mlir::func::FuncOp func);

/// `<model>.h`: `int <model>_run(const float *in..., float *out..., void *ws)`,
/// the workspace size and every tensor's shape as constants.
void writeHeader(const ModelSignature &model, llvm::raw_ostream &os);

/// The `main` of a model executable: describes the model to libcnnrt's
/// `cnnrt_main`, which parses the command line and runs it.
void writeExecutableMain(const ModelSignature &model,
                         llvm::StringRef headerName, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_CODEGEN_CINTERFACE_H
