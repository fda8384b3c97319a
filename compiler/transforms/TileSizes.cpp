//===- TileSizes.cpp - register tiles of convolutions ---------------------===//

#include "compiler/transforms/TileSizes.h"

#include "llvm/ADT/SmallVector.h"

using namespace cnnc;

TileSizes cnnc::chooseTiles(int64_t outWidth, int64_t outChannels,
                            int64_t inChannels, int64_t kernelWidth,
                            int64_t maxAccumulators, bool widePixels,
                            int64_t lanes, int64_t registers) {
  TileSizes best{1, 1, 1};
  int64_t bestUse = 0;
  // Power-of-two channel tiles only: LLVM widens a vector<48xf32> or
  // <24xf32> to the next power of two, and the padding lanes cost more than
  // a smaller tile loses. Channel counts that no such tile divides (LeNet's
  // 6 filters, a 255-channel head) take their largest divisor.
  llvm::SmallVector<int64_t> candidates;
  for (int64_t tf : {64, 32, 16, 8})
    if (outChannels % tf == 0)
      candidates.push_back(tf);
  if (candidates.empty())
    candidates.push_back(largestDivisorAtMost(outChannels, 64));
  // Among tiles using as many lanes, the one with the fewest loads per FMA:
  // a reduction step loads `vectors` weight vectors and broadcasts `tw`
  // inputs for tw x vectors FMAs. A tile of one pixel (one FMA per weight
  // load) is bound by loads, not FMAs.
  auto loadsPerFma = [](int64_t tw, int64_t vectors) {
    return double(tw + vectors) / double(tw * vectors);
  };
  for (int64_t tf : candidates) {
    int64_t vectors = (tf + lanes - 1) / lanes;
    int64_t tw = largestDivisorAtMost(outWidth, maxAccumulators / vectors);
    int64_t bestVectors = (best.channels + lanes - 1) / lanes;
    bool better =
        widePixels && tw != best.pixels ? tw > best.pixels
        : tw * tf != bestUse
            ? tw * tf > bestUse
            : loadsPerFma(tw, vectors) < loadsPerFma(best.pixels, bestVectors);
    if (better) {
      bestUse = tw * tf;
      best.pixels = tw;
      best.channels = tf;
    }
  }
  // Input channels per reduction step: as many (up to four) as leave
  // registers for the step's weights, kernel width x steps x channel
  // vectors, beside the accumulators; with a kernel wider than 1, also for
  // the broadcast inputs, (pixels + kernel width - 1) x steps, which LLVM
  // keeps in registers because each serves kernel-width FMAs. More steps
  // than that spill the broadcasts or the weights, which costs more than
  // the loop overhead the extra steps save.
  int64_t vectors = (best.channels + lanes - 1) / lanes;
  int64_t spare = registers - best.pixels * vectors;
  int64_t perStep = kernelWidth * vectors +
                    (kernelWidth > 1 ? best.pixels + kernelWidth - 1 : 0);
  best.reduction = largestDivisorAtMost(
      inChannels, std::clamp<int64_t>(spare / perStep, 1, 4));
  return best;
}
