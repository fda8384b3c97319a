//===- ModelName.h - an imported model's name from its file name -*- C++
//-*-===//

#ifndef CNNC_IMPORT_MODELNAME_H
#define CNNC_IMPORT_MODELNAME_H

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <string>

namespace cnnc {

/// The model name for a file without one (ONNX, Darknet): its stem as a C
/// identifier, since the name prefixes the generated C symbols.
inline std::string modelNameFromPath(llvm::StringRef path) {
  std::string result;
  for (char c : llvm::sys::path::stem(path))
    result += llvm::isAlnum(c) ? c : '_';
  if (result.empty() || llvm::isDigit(result[0]))
    result = "m" + result;
  return result;
}

} // namespace cnnc

#endif // CNNC_IMPORT_MODELNAME_H
