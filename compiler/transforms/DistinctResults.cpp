//===- DistinctResults.cpp - a buffer of its own per returned value -------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace cnnc {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct DistinctResults : cnnc::impl::DistinctResultsBase<DistinctResults> {
  void runOnOperation() override {
    getOperation()->walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 4> seen;
      OpBuilder builder(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type || seen.insert(operand.get()).second)
          continue;
        Location loc = ret.getLoc();
        Value copy = memref::AllocOp::create(builder, loc, type);
        memref::CopyOp::create(builder, loc, operand.get(), copy);
        operand.set(copy);
      }
    });
  }
};

} // namespace
