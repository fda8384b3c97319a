//===- Linker.h - link a model executable with the C compiler ---*- C++ -*-===//

#ifndef CNNC_CODEGEN_LINKER_H
#define CNNC_CODEGEN_LINKER_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc {

struct LinkJob {
  std::string compiler;                  // "cc", a path, or empty: search PATH
  std::vector<std::string> sources;      // .c files and objects, in order
  std::vector<std::string> includeDirs;  // -I
  std::string runtimeLibrary;            // libcnnrt.a
  std::vector<std::string> runtimeFlags; // what it needs: -fsanitize=...
  std::vector<std::string> targetFlags;  // e.g. --target=T for another target
  std::string output;
};

/// Runs the system C compiler driver to compile and link; the only external
/// program cnnc starts. On failure no partial output is left behind.
llvm::Error link(const LinkJob &job);

/// Where libcnnrt.a and cnnrt.h live relative to the cnnc binary
/// (`bin/cnnc` -> `lib/libcnnrt.a`, `include/cnnrt.h`; another target's
/// runtime in `lib/TRIPLE/libcnnrt.a`).
std::string findRuntimeFile(const char *argv0, llvm::StringRef subdir,
                            llvm::StringRef file);

} // namespace cnnc

#endif // CNNC_CODEGEN_LINKER_H
