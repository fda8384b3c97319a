/* The thread pool behind cnnrt_parallel_for: compiled models hand it the
 * thread-level loops that cnnc outlined into task functions.
 *
 * A loop's iterations are cut into a few contiguous chunks per thread; the
 * calling thread and the workers claim chunks from a shared counter until
 * none are left. Which thread runs a chunk does not change what it computes,
 * so results do not depend on the thread count, and a worker the OS has not
 * scheduled yet (a busy machine) delays nothing: the others take its share.
 * Workers spin briefly after a job (models launch one loop after another) and
 * then sleep on a condition variable. */
#define _DEFAULT_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) */

#include "cnnrt.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/* Polls of the job counter before a thread sleeps (~tens of microseconds). */
#define SPIN_POLLS 20000
/* Chunks per thread: enough to even out a late or slow thread. */
#define CHUNKS_PER_THREAD 4

static struct {
  /* Held by the thread running a parallel loop, so concurrent or nested
   * callers run their loop inline instead of waiting. */
  pthread_mutex_t busy;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* workers wait here for a job or shutdown */
  pthread_cond_t done; /* the caller waits here for the last chunk */

  int requested; /* threads wanted; 0 = not decided yet */
  int started;   /* workers running, excluding the caller */
  pthread_t *workers;

  /* The current job; written under `lock` when `generation` moves. */
  cnnrt_task_fn task;
  void *ctx;
  int64_t count;
  uint32_t chunks;
  atomic_uint generation;
  /* (generation << 32) | next chunk: a worker that read an older job's
   * fields can never claim a chunk of a newer one. */
  _Atomic uint64_t next;
  atomic_uint finished; /* chunks of the current job done */
  int shutdown;
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER,
          .lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

typedef struct {
  cnnrt_task_fn task;
  void *ctx;
  int64_t count;
  uint32_t chunks;
  uint32_t generation;
} job;

/* Claims and runs chunks of `j` until none are left. */
static void run_chunks(const job *j) {
  uint64_t tag = (uint64_t)j->generation << 32;
  uint64_t next = atomic_load(&pool.next);
  for (;;) {
    if ((next & ~(uint64_t)UINT32_MAX) != tag || (uint32_t)next >= j->chunks)
      return;
    if (!atomic_compare_exchange_weak(&pool.next, &next, next + 1))
      continue;
    uint32_t chunk = (uint32_t)next;
    int64_t begin = j->count * chunk / j->chunks;
    int64_t end = j->count * (chunk + 1) / j->chunks;
    if (begin < end)
      j->task(j->ctx, begin, end);
    if (atomic_fetch_add(&pool.finished, 1) + 1 == j->chunks) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
    next = atomic_load(&pool.next);
  }
}

static void *worker_main(void *arg) {
  unsigned seen = (unsigned)(uintptr_t)arg;
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
    job j = {pool.task, pool.ctx, pool.count, pool.chunks, seen};
    pthread_mutex_unlock(&pool.lock);
    run_chunks(&j);
  }
}

static void stop_workers(void) {
  pthread_mutex_lock(&pool.lock);
  pool.shutdown = 1;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  for (int i = 0; i < pool.started; ++i)
    pthread_join(pool.workers[i], NULL);
  free(pool.workers);
  pool.workers = NULL;
  pool.started = 0;
  pool.shutdown = 0;
}

/* Starts requested - 1 workers; on failure keeps the ones that started. */
static void start_workers(void) {
  int want = pool.requested - 1;
  pool.workers = calloc((size_t)want, sizeof(pthread_t));
  if (!pool.workers)
    return;
  /* Each worker starts from the current generation: later jobs are new. */
  void *current = (void *)(uintptr_t)atomic_load(&pool.generation);
  for (int i = 0; i < want; ++i) {
    if (pthread_create(&pool.workers[i], NULL, worker_main, current) != 0)
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
  int64_t chunks = (int64_t)(pool.started + 1) * CHUNKS_PER_THREAD;
  if (chunks > count)
    chunks = count;
  if (pool.started == 0 || chunks <= 1) {
    pthread_mutex_unlock(&pool.busy);
    task(ctx, 0, count);
    return;
  }

  pthread_mutex_lock(&pool.lock);
  job j = {task, ctx, count, (uint32_t)chunks,
           atomic_load(&pool.generation) + 1};
  pool.task = task;
  pool.ctx = ctx;
  pool.count = count;
  pool.chunks = j.chunks;
  atomic_store(&pool.finished, 0);
  atomic_store(&pool.next, (uint64_t)j.generation << 32);
  atomic_store(&pool.generation, j.generation);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);

  run_chunks(&j);

  for (int i = 0; i < SPIN_POLLS && atomic_load(&pool.finished) < j.chunks; ++i)
    ;
  pthread_mutex_lock(&pool.lock);
  while (atomic_load(&pool.finished) < j.chunks)
    pthread_cond_wait(&pool.done, &pool.lock);
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&pool.busy);
}
