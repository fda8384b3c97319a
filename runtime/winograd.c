/* Winograd F(4x4, 3x3) filter transform, shared by the compiler (weights
 * transformed at compile time and stored in the executable) and generated
 * code (weights too large to store, transformed at the first run). */
#include "cnnrt.h"

#include <pthread.h>
#include <stdatomic.h>

/* G, the filter transform of F(4x4, 3x3) with points 0, +-1, +-2. */
static const double kFilter[6][3] = {{1.0 / 4, 0, 0},
                                     {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                     {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                     {0, 0, 1}};

/* Input channels [begin, end) of the transform. */
static void transform_channels(const float *hwcf, float *u, int64_t c,
                               int64_t f, int64_t block, int64_t begin,
                               int64_t end) {
  for (int64_t ci = begin; ci < end; ++ci)
    for (int64_t fi = 0; fi < f; ++fi) {
      /* In double: the result is rounded to float once. */
      double t[6][3];
      for (int a = 0; a < 6; ++a)
        for (int j = 0; j < 3; ++j) {
          t[a][j] = 0;
          for (int i = 0; i < 3; ++i)
            t[a][j] += kFilter[a][i] * hwcf[((i * 3 + j) * c + ci) * f + fi];
        }
      for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b) {
          double s = 0;
          for (int j = 0; j < 3; ++j)
            s += t[a][j] * kFilter[b][j];
          u[(((a * 6 + b) * (f / block) + fi / block) * c + ci) * block +
            fi % block] = (float)s;
        }
    }
}

void cnnrt_winograd_transform(const float *hwcf, float *u, int64_t c, int64_t f,
                              int64_t block) {
  transform_channels(hwcf, u, c, f, block, 0, c);
}

typedef struct {
  const float *hwcf;
  float *u;
  int64_t c, f, block;
} transform_job;

static void transform_task(void *ctx, int64_t begin, int64_t end) {
  const transform_job *job = ctx;
  transform_channels(job->hwcf, job->u, job->c, job->f, job->block, begin, end);
}

static pthread_mutex_t transform_lock = PTHREAD_MUTEX_INITIALIZER;

void cnnrt_winograd_weights(const float *hwcf, float *u, int64_t c, int64_t f,
                            int64_t block, int32_t *ready) {
  /* Acquire pairs with the release below: a thread that sees the flag set
   * also sees the weights. */
  _Atomic int32_t *flag = (_Atomic int32_t *)ready;
  if (atomic_load_explicit(flag, memory_order_acquire))
    return;
  pthread_mutex_lock(&transform_lock);
  if (!atomic_load_explicit(flag, memory_order_relaxed)) {
    /* On the thread pool, input channels split between the threads. */
    transform_job job = {hwcf, u, c, f, block};
    cnnrt_parallel_for(transform_task, &job, c);
    atomic_store_explicit(flag, 1, memory_order_release);
  }
  pthread_mutex_unlock(&transform_lock);
}
