/* FP32 peak of one core: independent chains of FMAs on the widest vectors
 * the build targets (AVX-512: 24 of 16 lanes; AVX: 12 of 8; else 12 of 4:
 * as many accumulators as cnnc's register tiles hold, leaving registers
 * over), timed over enough iterations to dwarf the timer. Prints GFLOP/s.
 * Build with -O2 -march=native. */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
enum { LANES = 16, CHAINS = 24 };
#elif defined(__AVX__)
enum { LANES = 8, CHAINS = 12 };
#else
enum { LANES = 4, CHAINS = 12 };
#endif
typedef float vec __attribute__((vector_size(LANES * 4)));

int main(void) {
  vec acc[CHAINS], x, y;
  for (int i = 0; i < LANES; ++i) {
    x[i] = 1.0f + 1e-7f * i;
    y[i] = 1e-7f;
  }
  for (int j = 0; j < CHAINS; ++j)
    acc[j] = x * (float)j;
  const long iterations = 40000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < CHAINS; ++j)
      acc[j] = acc[j] * x + y;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  float sink = 0;
  for (int j = 0; j < CHAINS; ++j)
    sink += acc[j][0];
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  printf("%.1f\n", iterations * (double)CHAINS * LANES * 2 / s / 1e9);
  return sink == 12345.f; /* keeps the chains alive */
}
