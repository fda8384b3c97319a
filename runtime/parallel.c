/* The thread pool behind cnnrt_parallel_for: compiled models hand it the
 * thread-level loops that cnnc outlined into task functions.
 *
 * The iteration space is cut into one contiguous block per thread (the calling
 * thread runs the first), so a given iteration always executes the same code
 * on the same data: results do not depend on the thread count. Workers spin
 * briefly after a job (models launch one loop after another) and then sleep on
 * a condition variable. */
#define _DEFAULT_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) */

#include "cnnrt.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/* Polls of the job counter before a worker sleeps (~tens of microseconds). */
#define SPIN_POLLS 20000

typedef struct {
  pthread_t thread;
  int index;         /* block index this worker runs; 1.. */
  unsigned last_job; /* generation when it started: jobs after it are new */
} worker;

static struct {
  /* Held by the thread running a parallel loop, so concurrent or nested
   * callers run their loop inline instead of waiting. */
  pthread_mutex_t busy;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* workers wait here for a job or shutdown */
  pthread_cond_t done; /* the caller waits here for the last block */

  int requested; /* threads wanted; 0 = not decided yet */
  int started;   /* workers running, excluding the caller */
  worker *workers;

  /* The current job; written under `lock` before `generation` moves. */
  cnnrt_task_fn task;
  void *ctx;
  int64_t count;
  int blocks;
  atomic_uint generation;
  atomic_int pending; /* worker blocks not finished */
  int shutdown;
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER,
          .lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

static void run_block(cnnrt_task_fn task, void *ctx, int64_t count, int blocks,
                      int index) {
  int64_t begin = count * index / blocks;
  int64_t end = count * (index + 1) / blocks;
  if (begin < end)
    task(ctx, begin, end);
}

static void *worker_main(void *arg) {
  const worker *self = arg;
  unsigned seen = self->last_job;
  for (;;) {
    for (int i = 0; i < SPIN_POLLS && atomic_load(&pool.generation) == seen;
         ++i)
      ;
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.generation) == seen && !pool.shutdown)
      pthread_cond_wait(&pool.wake, &pool.lock);
    if (pool.shutdown) {
      pthread_mutex_unlock(&pool.lock);
      return NULL;
    }
    seen = atomic_load(&pool.generation);
    cnnrt_task_fn task = pool.task;
    void *ctx = pool.ctx;
    int64_t count = pool.count;
    int blocks = pool.blocks;
    pthread_mutex_unlock(&pool.lock);

    if (self->index < blocks)
      run_block(task, ctx, count, blocks, self->index);
    if (atomic_fetch_sub(&pool.pending, 1) == 1) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
  }
}

static void stop_workers(void) {
  pthread_mutex_lock(&pool.lock);
  pool.shutdown = 1;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  for (int i = 0; i < pool.started; ++i)
    pthread_join(pool.workers[i].thread, NULL);
  free(pool.workers);
  pool.workers = NULL;
  pool.started = 0;
  pool.shutdown = 0;
}

/* Starts requested - 1 workers; on failure keeps the ones that started. */
static void start_workers(void) {
  int want = pool.requested - 1;
  pool.workers = calloc((size_t)want, sizeof(worker));
  if (!pool.workers)
    return;
  for (int i = 0; i < want; ++i) {
    pool.workers[i].index = i + 1;
    pool.workers[i].last_job = atomic_load(&pool.generation);
    if (pthread_create(&pool.workers[i].thread, NULL, worker_main,
                       &pool.workers[i]) != 0)
      break;
    pool.started = i + 1;
  }
}

static int default_threads(void) {
  const char *env = getenv("CNNRT_NUM_THREADS");
  if (env && *env) {
    char *end;
    errno = 0;
    long n = strtol(env, &end, 10);
    if (!errno && !*end && n >= 1 && n <= CNNRT_MAX_THREADS)
      return (int)n;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1)
    return 1;
  return cpus > CNNRT_MAX_THREADS ? CNNRT_MAX_THREADS : (int)cpus;
}

int cnnrt_set_num_threads(int n) {
  if (n < 1 || n > CNNRT_MAX_THREADS)
    return -1;
  pthread_mutex_lock(&pool.busy);
  if (pool.started + 1 != n)
    stop_workers();
  pool.requested = n;
  pthread_mutex_unlock(&pool.busy);
  return 0;
}

int cnnrt_get_num_threads(void) {
  pthread_mutex_lock(&pool.busy);
  if (!pool.requested)
    pool.requested = default_threads();
  int n = pool.requested;
  pthread_mutex_unlock(&pool.busy);
  return n;
}

void cnnrt_parallel_for(cnnrt_task_fn task, void *ctx, int64_t count) {
  if (count <= 0)
    return;
  if (pthread_mutex_trylock(&pool.busy) != 0) {
    task(ctx, 0, count);
    return;
  }
  if (!pool.requested)
    pool.requested = default_threads();
  if (pool.requested > 1 && !pool.started)
    start_workers();
  int blocks = pool.started + 1;
  if (blocks > count)
    blocks = (int)count;
  if (blocks <= 1) {
    pthread_mutex_unlock(&pool.busy);
    task(ctx, 0, count);
    return;
  }

  pthread_mutex_lock(&pool.lock);
  pool.task = task;
  pool.ctx = ctx;
  pool.count = count;
  pool.blocks = blocks;
  /* Every worker acknowledges every job, even one with no block for it. */
  atomic_store(&pool.pending, pool.started);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);

  run_block(task, ctx, count, blocks, 0);

  for (int i = 0; i < SPIN_POLLS && atomic_load(&pool.pending) > 0; ++i)
    ;
  pthread_mutex_lock(&pool.lock);
  while (atomic_load(&pool.pending) > 0)
    pthread_cond_wait(&pool.done, &pool.lock);
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&pool.busy);
}
