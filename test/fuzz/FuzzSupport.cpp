//===- FuzzSupport.cpp - what the libFuzzer targets share -----------------===//

#include "test/fuzz/FuzzSupport.h"
#include "compiler/frontend/Parser.h"
#include "compiler/pipeline/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"

#include <cstdlib>

using namespace mlir;

std::string cnnc::fuzz::writeScratchFile(const uint8_t *data, size_t size,
                                         llvm::StringRef extension) {
  llvm::SmallString<128> path;
  llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, path);
  llvm::sys::path::append(
      path, "cnnc-fuzz-" + llvm::Twine(llvm::sys::Process::getProcessId()) +
                extension);
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error) {
    llvm::errs() << "cannot write the scratch file '" << path
                 << "': " << error.message() << "\n";
    std::abort();
  }
  os.write(reinterpret_cast<const char *>(data), size);
  return path.str().str();
}

std::unique_ptr<MLIRContext> cnnc::fuzz::makeContext() {
  DialectRegistry registry;
  cnnc::registerAllDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->printOpOnDiagnostic(false);
  context->getDiagEngine().registerHandler([](Diagnostic &) {});
  return context;
}

std::unique_ptr<llvm::SourceMgr>
cnnc::fuzz::makeSourceMgr(llvm::StringRef text, llvm::StringRef name) {
  auto sourceMgr = std::make_unique<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, name), llvm::SMLoc());
  sourceMgr->setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  return sourceMgr;
}

void cnnc::fuzz::runImporter(
    const std::function<OwningOpRef<ModuleOp>()> &importer) {
  llvm::thread worker(std::optional<unsigned>(cnnc::kCompilerStackBytes), [&] {
    OwningOpRef<ModuleOp> module = importer();
    if (module && failed(verify(*module))) {
      llvm::errs() << "an importer returned a module that does not verify\n";
      std::abort();
    }
  });
  worker.join();
}
