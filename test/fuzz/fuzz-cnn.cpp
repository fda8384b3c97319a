//===- fuzz-cnn.cpp - the .cnn front end up to a verified module ----------===//

#include "compiler/frontend/MLIRGen.h"
#include "compiler/frontend/Parser.h"
#include "compiler/weights/WeightSource.h"
#include "test/fuzz/FuzzSupport.h"

using namespace cnnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = fuzz::makeContext();
  auto sourceMgr = fuzz::makeSourceMgr(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.cnn");
  fuzz::runImporter([&]() -> mlir::OwningOpRef<mlir::ModuleOp> {
    std::unique_ptr<ModelAST> ast = parseModel(*sourceMgr);
    if (!ast)
      return nullptr;
    WeightSource weights(/*seed=*/1);
    return mlirGen(*context, *sourceMgr, *ast, weights);
  });
  return 0;
}
