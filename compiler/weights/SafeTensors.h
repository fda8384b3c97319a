//===- SafeTensors.h - read .safetensors weight files -----------*- C++ -*-===//
//
// Format: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
// (plus an optional "__metadata__" object), then the raw tensor bytes.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_WEIGHTS_SAFETENSORS_H
#define CNNC_WEIGHTS_SAFETENSORS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

namespace cnnc {

struct SafeTensor {
  std::string dtype; // "F32", "F64", "I64", ...
  llvm::SmallVector<int64_t, 4> shape;
  llvm::ArrayRef<char> bytes; // points into the file's buffer
};

class SafeTensorsFile {
public:
  /// Reads and validates the whole header: offsets inside the file, sizes
  /// matching dtype x shape, no overlaps past the end.
  static llvm::Expected<SafeTensorsFile> open(llvm::StringRef path);

  const llvm::StringMap<SafeTensor> &tensors() const { return entries; }
  llvm::StringRef path() const { return filePath; }

private:
  std::string filePath;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  llvm::StringMap<SafeTensor> entries;
};

} // namespace cnnc

#endif // CNNC_WEIGHTS_SAFETENSORS_H
