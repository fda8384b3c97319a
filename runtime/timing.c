/* Monotonic wall clock for benchmarking. */
#define _POSIX_C_SOURCE 200809L

#include "cnnrt.h"

#include <time.h>

double cnnrt_now_seconds(void) {
  struct timespec ts;
  /* CLOCK_MONOTONIC is immune to wall-clock adjustments during a benchmark. */
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0.0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
