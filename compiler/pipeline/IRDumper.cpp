//===- IRDumper.cpp - one file per pass for --dump-ir ---------------------===//

#include "compiler/pipeline/IRDumper.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <fmt/format.h>

using namespace mlir;

LogicalResult cnnc::IRDumper::start(ModuleOp module) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return emitError(module.getLoc()) << "cannot create --dump-ir directory '"
                                      << dir << "': " << ec.message();
  write("cnn", module);
  return success();
}

void cnnc::IRDumper::runAfterPass(Pass *pass, Operation *op) {
  // Nested pass managers report each function; the module-level view is the
  // one worth diffing.
  if (!isa<ModuleOp>(op))
    return;
  if (!pass->getArgument().empty())
    return write(pass->getArgument(), op);
  // A nested pipeline, e.g. func.func(lower-vector-multi-reduction): named
  // by its passes, with the characters a shell would trip on replaced.
  std::string name;
  llvm::raw_string_ostream os(name);
  pass->printAsTextualPipeline(os);
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '.' && c != '-')
      c = '-';
  write(llvm::StringRef(name).trim('-'), op);
}

void cnnc::IRDumper::write(llvm::StringRef stage, Operation *op) {
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(
      path, fmt::format("{:02}-{}.mlir", count++, std::string_view(stage)));
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    emitError(op->getLoc())
        << "cannot write '" << path << "': " << ec.message();
    return;
  }
  op->print(file.os(), OpPrintingFlags().elideLargeElementsAttrs(16));
  file.keep();
}
