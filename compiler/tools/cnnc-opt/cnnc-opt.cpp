//===- cnnc-opt.cpp - mlir-opt with the cnn dialect and passes ------------===//
//
// Runs any registered pass (ours and upstream's) on textual IR; the lit tests
// use it to check one pass at a time.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Registration.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  cnnc::registerAllDialects(registry);
  cnnc::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cnnc optimizer driver\n", registry));
}
