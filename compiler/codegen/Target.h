//===- Target.h - the LLVM target machine cnnc compiles for -----*- C++ -*-===//

#ifndef CNNC_CODEGEN_TARGET_H
#define CNNC_CODEGEN_TARGET_H

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <optional>

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

/// The SIMD registers the vectoriser tiles for.
struct VectorRegisters {
  unsigned bits = 512; // width of one
  unsigned count = 32; // architectural registers of that width
};

/// From the target's features: AVX-512 (512 bits x 32), AVX (256 x 16),
/// SSE (128 x 16), AArch64 NEON (128 x 32); other targets get 128 x 16.
VectorRegisters vectorRegisters(const llvm::TargetMachine &machine);

/// One core's L2 cache in bytes, as the OS reports it, when compiling for
/// the host (its triple and CPU "native"); otherwise, or when the OS does not
/// say, none: a named CPU's cache is not known (LLVM gives one size for
/// every x86 CPU), and the passes assume their default.
std::optional<int64_t> hostL2CacheBytes(const TargetOptions &options);

} // namespace cnnc

#endif // CNNC_CODEGEN_TARGET_H
