//===- fuzz-darknet-weights.cpp - .weights files against a fixed cfg ------===//
//
// The cfg reads every kind of parameter Darknet stores: a convolution with
// batch-norm and one with biases only, a weighted shortcut, a connected layer
// (whose layout depends on the header's version).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/DarknetImporter.h"
#include "compiler/import/DarknetWeights.h"
#include "test/fuzz/FuzzSupport.h"

using namespace cnnc;

static constexpr llvm::StringLiteral kCfg = R"([net]
width=4
height=4
channels=2

[convolutional]
batch_normalize=1
filters=3
size=3
pad=1
activation=leaky

[convolutional]
filters=3
size=1
activation=linear

[shortcut]
from=-2
weights_type=per_channel
activation=linear

[connected]
output=5
activation=relu
)";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = fuzz::writeScratchFile(data, size, ".weights");
  llvm::Expected<darknet::WeightsFile> weights =
      darknet::WeightsFile::open(path);
  if (!weights) {
    llvm::consumeError(weights.takeError());
    return 0;
  }
  auto context = fuzz::makeContext();
  auto sourceMgr = fuzz::makeSourceMgr(kCfg, "fixed.cfg");
  fuzz::runImporter([&] {
    return importDarknet(*context, *sourceMgr, std::move(*weights),
                         /*seed=*/1);
  });
  return 0;
}
