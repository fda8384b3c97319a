//===- SafeTensorsWriter.h - write .safetensors weight files ----*- C++ -*-===//
//
// The format SafeTensors.h reads: F32 tensors only, in the order given,
// header padded with spaces to a multiple of 8 bytes.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_WEIGHTS_SAFETENSORSWRITER_H
#define CNNC_WEIGHTS_SAFETENSORSWRITER_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc {

struct NamedTensor {
  std::string name;
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> values; // row-major
};

/// Writes `tensors` to `path` (names must be unique); the file is complete
/// or absent.
llvm::Error writeSafeTensors(llvm::StringRef path,
                             llvm::ArrayRef<NamedTensor> tensors);

} // namespace cnnc

#endif // CNNC_WEIGHTS_SAFETENSORSWRITER_H
