/* Four threads make the first calls of a model whose Winograd weights are
 * transformed at run time, at once: each must see complete weights (the
 * outputs are the same, bit for bit), and the weights are transformed once.
 * Writes the input and one output as .npy for the reference to check. */
#include "cnnrt.h"
#include "first_run.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { kThreads = 4 };
static float input[FIRST_RUN_X_SIZE];
static float outputs[kThreads][FIRST_RUN_Y_SIZE];
static pthread_barrier_t start;

static void *call(void *arg) {
  float *y = arg;
  void *ws = cnnrt_aligned_alloc(first_run_workspace_bytes);
  pthread_barrier_wait(&start);
  int rc = first_run_run(input, y, ws);
  cnnrt_aligned_free(ws);
  return rc ? y : NULL;
}

static int save(const char *path, const char *name, int rank,
                const int64_t *shape, const float *v) {
  cnnrt_tensor_info info = {name, rank, {0}};
  memcpy(info.shape, shape, sizeof(int64_t) * rank);
  char err[256];
  if (cnnrt_npy_write(path, &info, v, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  for (int i = 0; i < FIRST_RUN_X_SIZE; ++i)
    input[i] = (float)(i % 23) / 23.0f - 0.5f;
  pthread_barrier_init(&start, NULL, kThreads);
  pthread_t threads[kThreads];
  for (int t = 0; t < kThreads; ++t)
    pthread_create(&threads[t], NULL, call, outputs[t]);
  int failed = 0;
  for (int t = 0; t < kThreads; ++t) {
    void *result;
    pthread_join(threads[t], &result);
    failed |= result != NULL;
  }
  if (failed)
    return 1;
  for (int t = 1; t < kThreads; ++t)
    if (memcmp(outputs[t], outputs[0], sizeof(outputs[0])) != 0) {
      printf("thread %d's output differs\n", t);
      return 1;
    }
  printf("%d threads: same output\n", kThreads);
  return save(argv[1], "x", FIRST_RUN_X_RANK, first_run_x_shape, input) ||
         save(argv[2], "y", FIRST_RUN_Y_RANK, first_run_y_shape, outputs[0]);
}
