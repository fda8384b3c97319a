//===- TileSizes.h - helpers for choosing tile sizes ------------*- C++ -*-===//

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

} // namespace cnnc

#endif // CNNC_TRANSFORMS_TILESIZES_H
