//===- TileSizes.h - choosing register tiles --------------------*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_TILESIZES_H
#define CNNC_TRANSFORMS_TILESIZES_H

#include <algorithm>
#include <cstdint>

namespace cnnc {

/// The largest divisor of `n` that is at most `limit` (1 if none above 1):
/// tile sizes that divide their dimension leave no remainder loop.
inline int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// A register tile: output pixels x output channels, and input channels per
/// reduction step.
struct TileSizes {
  int64_t pixels, channels, reduction;
};

/// Output pixels x output channels maximising the accumulators in use, at
/// most `maxAccumulators` vectors of `lanes` floats; with `widePixels`, the
/// most pixels first. The reduction step leaves the rest of the `registers`
/// to the step's weights (and a wider kernel's broadcast inputs).
TileSizes chooseTiles(int64_t outWidth, int64_t outChannels, int64_t inChannels,
                      int64_t kernelWidth, int64_t maxAccumulators,
                      bool widePixels, int64_t lanes, int64_t registers);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_TILESIZES_H
