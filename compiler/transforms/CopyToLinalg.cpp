//===- CopyToLinalg.cpp - memref.copy as linalg.copy ----------------------===//

#include "compiler/transforms/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_COPYTOLINALG
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct CopyToLinalg : cnnc::impl::CopyToLinalgBase<CopyToLinalg> {
  void runOnOperation() override {
    getOperation()->walk([](memref::CopyOp copy) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
