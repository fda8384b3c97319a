/* Seeded PRNG for --bench inputs: splitmix64, so runs are reproducible across
 * platforms and libcs (rand() is neither). */
#include "cnnrt.h"

uint64_t cnnrt_random_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void cnnrt_random_fill(float *dst, size_t n, uint64_t *state) {
  for (size_t i = 0; i < n; ++i) {
    /* 24 random bits map exactly onto floats k * 2^-23 - 1 in [-1, 1). */
    uint32_t k = (uint32_t)(cnnrt_random_next(state) >> 40);
    dst[i] = (float)k * 0x1p-23f - 1.0f;
  }
}
