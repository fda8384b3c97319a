//===- FuzzSupport.h - what the libFuzzer targets share ---------*- C++ -*-===//
//
// The importers under test read files, as cnnc does, so a target writes
// libFuzzer's bytes to a scratch file and imports that. Each input is
// compiled on a thread with cnnc's stack, in a fresh context whose
// diagnostics are dropped: an error is a fine outcome, a crash, a sanitizer
// report, a timeout or running out of memory is not.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TEST_FUZZ_FUZZSUPPORT_H
#define CNNC_TEST_FUZZ_FUZZSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cnnc::fuzz {

/// Writes `data` to this process's scratch file (one per extension, in
/// $TMPDIR) and returns its path.
std::string writeScratchFile(const uint8_t *data, size_t size,
                             llvm::StringRef extension);

/// A context with every dialect cnnc uses; its diagnostics go nowhere.
std::unique_ptr<mlir::MLIRContext> makeContext();

/// A SourceMgr holding `text` as its main buffer named `name`, printing
/// nothing.
std::unique_ptr<llvm::SourceMgr> makeSourceMgr(llvm::StringRef text,
                                               llvm::StringRef name);

/// Runs `importer` on a thread with cnnc's stack; a module it returns must
/// verify (importers report errors, they never build invalid IR).
void runImporter(
    const std::function<mlir::OwningOpRef<mlir::ModuleOp>()> &importer);

} // namespace cnnc::fuzz

#endif // CNNC_TEST_FUZZ_FUZZSUPPORT_H
