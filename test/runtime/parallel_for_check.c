/* Exercises cnnrt_parallel_for directly: every iteration runs exactly once for
 * any thread and iteration count, a nested call and
 * calls from several threads at once run their loops inline, and changing
 * the thread count between loops works. Prints "ok" or the first failure. */
#include "cnnrt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_COUNT 1000

typedef struct {
  atomic_int visits[MAX_COUNT];
  atomic_int bad_range;
  atomic_int tasks;
} loop_state;

static void count_visits(void *ctx, int64_t begin, int64_t end) {
  loop_state *s = ctx;
  if (begin < 0 || end > MAX_COUNT || begin >= end)
    atomic_fetch_add(&s->bad_range, 1);
  for (int64_t i = begin; i < end && i < MAX_COUNT; ++i)
    atomic_fetch_add(&s->visits[i], 1);
  atomic_fetch_add(&s->tasks, 1);
}

/* Runs a loop of `count` iterations; 0 if each ran once, in non-empty
 * blocks, and in one block when there is one thread. */
static int check_loop(int64_t count, int threads) {
  loop_state *s = calloc(1, sizeof(loop_state));
  if (!s)
    return 1;
  cnnrt_parallel_for(count_visits, s, count);
  int failed = 0;
  for (int64_t i = 0; i < count && !failed; ++i)
    if (atomic_load(&s->visits[i]) != 1) {
      printf("FAIL: count %lld threads %d: iteration %lld ran %d times\n",
             (long long)count, threads, (long long)i,
             atomic_load(&s->visits[i]));
      failed = 1;
    }
  if (atomic_load(&s->bad_range) ||
      (threads == 1 && atomic_load(&s->tasks) != 1)) {
    printf("FAIL: count %lld threads %d: %d blocks, %d bad ranges\n",
           (long long)count, threads, atomic_load(&s->tasks),
           atomic_load(&s->bad_range));
    failed = 1;
  }
  free(s);
  return failed;
}

/* A task that starts another loop: the inner one must run inline, as one
 * block. */
static void nested(void *ctx, int64_t begin, int64_t end) {
  atomic_int *failed = ctx;
  for (int64_t i = begin; i < end; ++i)
    if (check_loop(7, 1))
      atomic_store(failed, 1);
}

/* Loops started while other threads start theirs. */
static void *caller_thread(void *arg) {
  (void)arg;
  for (int i = 0; i < 200; ++i)
    if (check_loop(100, CNNRT_MAX_THREADS))
      return (void *)1;
  return NULL;
}

int main(void) {
  int failed = 0;
  int64_t counts[] = {1, 2, 3, 7, 64, 100, 999, 1000};
  int threads[] = {1, 2, 3, 4, 8, 1, 5};
  for (size_t t = 0; t < sizeof(threads) / sizeof(*threads); ++t) {
    if (cnnrt_set_num_threads(threads[t]) != 0 ||
        cnnrt_get_num_threads() != threads[t]) {
      printf("FAIL: cannot set %d threads\n", threads[t]);
      return 1;
    }
    for (size_t c = 0; c < sizeof(counts) / sizeof(*counts); ++c)
      for (int repeat = 0; repeat < 20; ++repeat)
        failed |= check_loop(counts[c], threads[t]);
  }
  if (cnnrt_set_num_threads(0) == 0 ||
      cnnrt_set_num_threads(CNNRT_MAX_THREADS + 1) == 0) {
    printf("FAIL: invalid thread counts accepted\n");
    failed = 1;
  }

  /* Nested loops inside a 4-thread loop. */
  cnnrt_set_num_threads(4);
  atomic_int nested_failed = 0;
  cnnrt_parallel_for(nested, &nested_failed, 4);
  failed |= atomic_load(&nested_failed);

  /* Several threads starting loops at once. */
  pthread_t callers[3];
  for (int i = 0; i < 3; ++i)
    pthread_create(&callers[i], NULL, caller_thread, NULL);
  for (int i = 0; i < 3; ++i) {
    void *rc;
    pthread_join(callers[i], &rc);
    if (rc) {
      printf("FAIL: concurrent callers\n");
      failed = 1;
    }
  }
  if (!failed)
    printf("ok\n");
  return failed;
}
