/* FP32 peak of one core: 24 independent chains of 16-lane FMAs (as many
 * accumulators as cnnc's register tiles hold), timed over enough iterations
 * to dwarf the timer. Prints GFLOP/s. Build with -O2 -march=native. */
#include <stdio.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));

int main(void) {
  v16 acc[24], x, y;
  for (int i = 0; i < 16; ++i) {
    x[i] = 1.0f + 1e-7f * i;
    y[i] = 1e-7f;
  }
  for (int j = 0; j < 24; ++j)
    acc[j] = x * (float)j;
  const long iterations = 20000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < 24; ++j)
      acc[j] = acc[j] * x + y;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  float sink = 0;
  for (int j = 0; j < 24; ++j)
    sink += acc[j][0];
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  printf("%.1f\n", iterations * 24.0 * 16 * 2 / s / 1e9);
  return sink == 12345.f; /* keeps the chains alive */
}
