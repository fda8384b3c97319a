//===- OnnxImporter.cpp - .onnx models to the cnn dialect -----------------===//

#include "compiler/import/OnnxImporter.h"
#include "compiler/import/GraphImporter.h"
#include "dialects/cnn/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

OwningOpRef<ModuleOp> cnnc::importOnnx(MLIRContext &context,
                                       llvm::StringRef path) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  std::string error;
  std::optional<onnx::Graph> graph = onnx::readModel(path.str(), error);
  if (!graph) {
    emitError(FileLineColLoc::get(&context, path, 0, 0)) << error;
    return nullptr;
  }
  return onnx::GraphImporter(context, *graph, path).run();
}
