/* CNNRT_PROFILE: wall time per thread-pool loop, to see which layers scale
 * with threads (the loops run in program order, so the n-th loop first seen
 * is the task cnnc named MODEL_run_loopN). A development aid: off unless
 * the environment asks, and then a mutex-guarded table of a few hundred
 * entries. */
#include "profile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOOPS 1024

static struct {
  pthread_mutex_t lock;
  int count;
  struct {
    cnnrt_task_fn task;
    long calls;
    double seconds;
  } loops[MAX_LOOPS];
} profile = {.lock = PTHREAD_MUTEX_INITIALIZER};

int cnnrt_profile_enabled(void) {
  static int enabled = -1;
  if (enabled < 0) {
    const char *env = getenv("CNNRT_PROFILE");
    enabled = env && *env && strcmp(env, "0") != 0;
  }
  return enabled;
}

void cnnrt_profile_record(cnnrt_task_fn task, double seconds) {
  pthread_mutex_lock(&profile.lock);
  int i = 0;
  while (i < profile.count && profile.loops[i].task != task)
    ++i;
  if (i == profile.count && profile.count < MAX_LOOPS) {
    profile.loops[i].task = task;
    profile.loops[i].calls = 0;
    profile.loops[i].seconds = 0;
    ++profile.count;
  }
  if (i < profile.count) {
    profile.loops[i].calls += 1;
    profile.loops[i].seconds += seconds;
  }
  pthread_mutex_unlock(&profile.lock);
}

void cnnrt_profile_reset(void) {
  pthread_mutex_lock(&profile.lock);
  profile.count = 0;
  pthread_mutex_unlock(&profile.lock);
}

void cnnrt_profile_print(double total_ms, long runs) {
  pthread_mutex_lock(&profile.lock);
  double loops_ms = 0;
  printf("profile: ms per run of each thread-pool loop, in order\n");
  for (int i = 0; i < profile.count; ++i) {
    double ms = profile.loops[i].seconds * 1e3 / (double)runs;
    loops_ms += ms;
    printf("  loop%-4d %9.4f  %5.1f%%\n", i, ms,
           total_ms > 0 ? 100.0 * ms / total_ms : 0.0);
  }
  printf("  outside  %9.4f  %5.1f%%  (sequential code between loops)\n",
         total_ms - loops_ms,
         total_ms > 0 ? 100.0 * (total_ms - loops_ms) / total_ms : 0.0);
  pthread_mutex_unlock(&profile.lock);
}
