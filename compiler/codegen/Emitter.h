//===- Emitter.h - LLVM dialect to LLVM IR, assembly, objects ---*- C++ -*-===//

#ifndef CNNC_CODEGEN_EMITTER_H
#define CNNC_CODEGEN_EMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace cnnc {

/// Translates a module in the LLVM dialect to LLVM IR for `machine` and runs
/// LLVM's -O<optLevel> pipeline on it.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine, unsigned optLevel);

/// Writes assembly or an object file.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            llvm::CodeGenFileType type,
                            llvm::raw_pwrite_stream &os);

} // namespace cnnc

#endif // CNNC_CODEGEN_EMITTER_H
