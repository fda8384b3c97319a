//===- Target.h - the LLVM target machine cnnc compiles for -----*- C++ -*-===//

#ifndef CNNC_CODEGEN_TARGET_H
#define CNNC_CODEGEN_TARGET_H

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace cnnc {

struct TargetOptions {
  std::string triple; // empty: the host
  std::string cpu;    // "native": the host CPU and its features
  unsigned optLevel = 2;
};

/// A TargetMachine for position-independent code, so objects can be linked
/// into PIE executables and shared libraries alike.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options);

} // namespace cnnc

#endif // CNNC_CODEGEN_TARGET_H
