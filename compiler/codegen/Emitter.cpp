//===- Emitter.cpp - LLVM dialect to LLVM IR, assembly, objects -----------===//

#include "compiler/codegen/Emitter.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"

using namespace llvm;

Expected<std::unique_ptr<Module>>
cnnc::translateToLLVMIR(mlir::ModuleOp module, LLVMContext &context,
                        TargetMachine &machine, unsigned optLevel) {
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "translation to LLVM IR failed");
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple());
  if (Error error = mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                                    &machine)(llvmModule.get()))
    return std::move(error);
  return std::move(llvmModule);
}

Error cnnc::emitMachineCode(Module &module, TargetMachine &machine,
                            CodeGenFileType type, raw_pwrite_stream &os) {
  legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, nullptr, type))
    return createStringError(inconvertibleErrorCode(),
                             "the target cannot emit this file type");
  pm.run(module);
  return Error::success();
}
