//===- fuzz-safetensors.cpp - the safetensors reader ----------------------===//

#include "compiler/weights/SafeTensors.h"
#include "test/fuzz/FuzzSupport.h"

using namespace cnnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = fuzz::writeScratchFile(data, size, ".safetensors");
  llvm::Expected<SafeTensorsFile> file = SafeTensorsFile::open(path);
  if (!file) {
    llvm::consumeError(file.takeError());
    return 0;
  }
  // Every tensor's bytes must lie in the file: read them all (AddressSanitizer
  // reports a range the header check let through).
  unsigned sum = 0;
  for (const auto &entry : file->tensors())
    for (char byte : entry.getValue().bytes)
      sum += static_cast<unsigned char>(byte);
  volatile unsigned sink = sum;
  (void)sink;
  return 0;
}
