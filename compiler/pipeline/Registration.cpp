//===- Registration.cpp - dialects and passes cnnc knows ------------------===//

#include "compiler/pipeline/Registration.h"
#include "compiler/conversion/Passes.h"
#include "compiler/transforms/Passes.h"
#include "dialects/cnn/CnnDialect.h"
#include "dialects/cnn/transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void cnnc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<cnn::CnnDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void cnnc::registerAllPasses() {
  mlir::registerAllPasses();
  cnn::registerCnnPasses();
  registerCnncConversionPasses();
  registerCnncTransformsPasses();
}
