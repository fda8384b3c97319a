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

/// The tile of a row vectorised a row at a time: the whole row, or chunks
/// of 16 elements (one AVX-512 register, two AVX2 ones) where 16 divides a
/// longer row; 0 for "whole". Whole rows of wide layers (512 channels: 32
/// registers) made loops LLVM unrolled into thousands of straight-line
/// stores and spilled, and its schedulers' time grows faster than linearly
/// with those; a row of tens of thousands (a flattened tensor) as one vector
/// crashes LLVM's instruction selection, so a long row that 16 does not
/// divide is cut into its largest divisor up to 16 (possibly 1).
inline int64_t rowChunk(int64_t row) {
  constexpr int64_t chunk = 16, maxWholeRow = 256;
  if (row > chunk && row % chunk == 0)
    return chunk;
  return row <= maxWholeRow ? 0 : largestDivisorAtMost(row, chunk);
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
