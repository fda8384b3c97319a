//===- fuzz-onnx.cpp - the ONNX importer on the bytes of a ModelProto -----===//

#include "compiler/import/OnnxImporter.h"
#include "test/fuzz/FuzzSupport.h"

using namespace cnnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = fuzz::writeScratchFile(data, size, ".onnx");
  auto context = fuzz::makeContext();
  fuzz::runImporter([&] { return importOnnx(*context, path); });
  return 0;
}
