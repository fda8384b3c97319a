//===- EntryAbi.cpp - the C ABI of a compiled model -----------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnnc {
#define GEN_PASS_DEF_ENTRYABI
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct EntryAbi : cnnc::impl::EntryAbiBase<EntryAbi> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    for (auto func :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      auto bytes = func->getAttrOfType<IntegerAttr>(cnnc::kWorkspaceBytesAttr);
      if (!bytes || !func.getResultTypes().empty())
        continue;
      // Names and sizes have been read into the header; LLVM has no use
      // for them.
      func->removeAttr(cnnc::kWorkspaceBytesAttr);
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.removeArgAttr(i, "cnn.name");
      std::string name = func.getName().str();
      func.setName(name + "_run");
      func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                           builder.getI32Type()));
      func.walk([&](func::ReturnOp ret) {
        builder.setInsertionPoint(ret);
        Value ok = arith::ConstantIntOp::create(builder, ret.getLoc(), 0, 32);
        ret->setOperands(ok);
      });
      builder.setInsertionPointToStart(module.getBody());
      LLVM::GlobalOp::create(builder, func.getLoc(), builder.getI64Type(),
                             /*isConstant=*/true, LLVM::Linkage::External,
                             name + "_workspace_bytes", bytes);
    }
  }
};

} // namespace
