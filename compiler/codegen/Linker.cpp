//===- Linker.cpp - link a model executable with the C compiler -----------===//

#include "compiler/codegen/Linker.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace llvm;

Error cnnc::link(const LinkJob &job) {
  std::string compiler = job.compiler;
  if (compiler.empty() || !sys::path::has_parent_path(compiler)) {
    StringRef name = compiler.empty() ? "cc" : StringRef(compiler);
    ErrorOr<std::string> found = sys::findProgramByName(name);
    if (!found)
      return createStringError(found.getError(),
                               "cannot find the C compiler '" + name +
                                   "' on PATH (use --cc)");
    compiler = *found;
  }
  std::vector<std::string> args = {compiler, "-O2", "-o", job.output};
  args.insert(args.end(), job.targetFlags.begin(), job.targetFlags.end());
  for (const std::string &dir : job.includeDirs)
    args.push_back("-I" + dir);
  args.insert(args.end(), job.sources.begin(), job.sources.end());
  args.insert(args.end(), {job.runtimeLibrary, "-lm", "-lpthread"});
  args.insert(args.end(), job.runtimeFlags.begin(), job.runtimeFlags.end());

  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string error;
  int status =
      sys::ExecuteAndWait(compiler, argRefs, std::nullopt, {}, 0, 0, &error);
  if (status != 0) {
    sys::fs::remove(job.output);
    return createStringError(inconvertibleErrorCode(),
                             "linking '" + job.output + "' with '" + compiler +
                                 "' failed" +
                                 (error.empty() ? "" : ": " + error));
  }
  return Error::success();
}

std::string cnnc::findRuntimeFile(const char *argv0, StringRef subdir,
                                  StringRef file) {
  std::string self =
      sys::fs::getMainExecutable(argv0, (void *)&findRuntimeFile);
  SmallString<256> path(sys::path::parent_path(sys::path::parent_path(self)));
  sys::path::append(path, subdir, file);
  return path.str().str();
}
