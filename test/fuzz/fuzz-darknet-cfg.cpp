//===- fuzz-darknet-cfg.cpp - the Darknet .cfg parser and importer --------===//

#include "compiler/import/DarknetImporter.h"
#include "test/fuzz/FuzzSupport.h"

using namespace cnnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = fuzz::makeContext();
  auto sourceMgr = fuzz::makeSourceMgr(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.cfg");
  fuzz::runImporter([&] {
    return importDarknet(*context, *sourceMgr, std::nullopt, /*seed=*/1);
  });
  return 0;
}
