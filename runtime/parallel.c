/* The thread pool behind cnnrt_parallel_for: compiled models hand it the
 * thread-level loops that cnnc outlined into task functions.
 *
 * A loop's iterations are cut into one contiguous share per thread, each cut
 * into a few chunks. A thread runs the chunks of its own share first, front
 * to back, then takes what is left of the others'. Thread t thus gets the
 * same part of every loop of similar shape (the same rows of consecutive
 * layers: their data stays in that core's cache, which matters most for
 * memory-bound depthwise layers), and a worker the OS has not scheduled yet (a
 * busy machine) delays nothing: the others take its share. Which thread runs a
 * chunk does not change what it computes, so results do not depend on the
 * thread count. Workers spin briefly after a job (models launch one loop after
 * another) and then sleep on a condition variable. */
#define _DEFAULT_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) */

#include "cnnrt.h"
#include "profile.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/* Polls of the job counter before a thread sleeps (a pause each: about a
 * third of a millisecond). */
#define SPIN_POLLS 20000
/* Chunks per thread: enough to even out a late or slow thread. */
#define CHUNKS_PER_THREAD 4

/* Polls between yields of the CPU while spinning (about a microsecond). */
#define YIELD_EVERY 64

/* Poll `i` of a spin loop: a pause (frees the core's resources), and now
 * and then the CPU itself, in case the thread being waited for shares it:
 * when the host runs our threads on fewer CPUs than there are threads (a
 * busy machine), spinning through the other's time slice makes 2 threads
 * slower than 1. */
static inline void spin_poll(int i) {
  if (i % YIELD_EVERY == YIELD_EVERY - 1) {
    sched_yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* A thread's share of the current job: (generation << 32) | its next chunk
 * (0 .. CHUNKS_PER_THREAD). Tagged so that a thread that read an older job
 * can never claim a chunk of a newer one; a cache line each, as the threads
 * claim chunks all the time. */
typedef struct {
  _Alignas(64) _Atomic uint64_t next;
} share;

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
  int threads; /* shares: the caller's (0) and one per worker */
  atomic_uint generation;
  share shares[CNNRT_MAX_THREADS];
  atomic_uint finished; /* chunks of the current job done */
  int shutdown;
  /* What each worker starts from: its share and the generation it has
   * already seen (later jobs are new to it). */
  struct {
    int index;
    unsigned generation;
  } start[CNNRT_MAX_THREADS];
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER,
          .lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

typedef struct {
  cnnrt_task_fn task;
  void *ctx;
  int64_t count;
  int threads;
  uint32_t generation;
} job;

/* Claims and runs chunks of share `t` of `j` until none are left. */
static void run_share(const job *j, int t) {
  uint64_t tag = (uint64_t)j->generation << 32;
  _Atomic uint64_t *slot = &pool.shares[t].next;
  uint32_t chunks = (uint32_t)j->threads * CHUNKS_PER_THREAD;
  uint64_t next = atomic_load(slot);
  for (;;) {
    if ((next & ~(uint64_t)UINT32_MAX) != tag ||
        (uint32_t)next >= CHUNKS_PER_THREAD)
      return;
    if (!atomic_compare_exchange_weak(slot, &next, next + 1))
      continue;
    uint32_t chunk = (uint32_t)t * CHUNKS_PER_THREAD + (uint32_t)next;
    int64_t begin = j->count * chunk / chunks;
    int64_t end = j->count * (chunk + 1) / chunks;
    if (begin < end)
      j->task(j->ctx, begin, end);
    if (atomic_fetch_add(&pool.finished, 1) + 1 == chunks) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
    next = atomic_load(slot);
  }
}

/* Thread `self`'s part of `j`: its own share, then the others'. */
static void run_chunks(const job *j, int self) {
  for (int k = 0; k < j->threads; ++k)
    run_share(j, (self + k) % j->threads);
}

static void *worker_main(void *arg) {
  int self = *(const int *)arg;
  unsigned seen = pool.start[self].generation;
  for (;;) {
    for (int i = 0; i < SPIN_POLLS && atomic_load(&pool.generation) == seen;
         ++i)
      spin_poll(i);
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.generation) == seen && !pool.shutdown)
      pthread_cond_wait(&pool.wake, &pool.lock);
    if (pool.shutdown) {
      pthread_mutex_unlock(&pool.lock);
      return NULL;
    }
    seen = atomic_load(&pool.generation);
    job j = {pool.task, pool.ctx, pool.count, pool.threads, seen};
    pthread_mutex_unlock(&pool.lock);
    run_chunks(&j, self);
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
  for (int i = 0; i < want; ++i) {
    pool.start[i + 1].index = i + 1;
    pool.start[i + 1].generation = atomic_load(&pool.generation);
    if (pthread_create(&pool.workers[i], NULL, worker_main,
                       &pool.start[i + 1].index) != 0)
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

/* cnnrt_parallel_for, untimed. */
static void parallel_for(cnnrt_task_fn task, void *ctx, int64_t count) {
  if (pthread_mutex_trylock(&pool.busy) != 0) {
    task(ctx, 0, count);
    return;
  }
  if (!pool.requested)
    pool.requested = default_threads();
  if (pool.requested > 1 && !pool.started)
    start_workers();
  if (pool.started == 0 || count == 1) {
    pthread_mutex_unlock(&pool.busy);
    task(ctx, 0, count);
    return;
  }

  pthread_mutex_lock(&pool.lock);
  job j = {task, ctx, count, pool.started + 1,
           atomic_load(&pool.generation) + 1};
  uint32_t chunks = (uint32_t)j.threads * CHUNKS_PER_THREAD;
  pool.task = task;
  pool.ctx = ctx;
  pool.count = count;
  pool.threads = j.threads;
  atomic_store(&pool.finished, 0);
  for (int t = 0; t < j.threads; ++t)
    atomic_store(&pool.shares[t].next, (uint64_t)j.generation << 32);
  atomic_store(&pool.generation, j.generation);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);

  run_chunks(&j, 0);

  for (int i = 0; i < SPIN_POLLS && atomic_load(&pool.finished) < chunks; ++i)
    spin_poll(i);
  pthread_mutex_lock(&pool.lock);
  while (atomic_load(&pool.finished) < chunks)
    pthread_cond_wait(&pool.done, &pool.lock);
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&pool.busy);
}

void cnnrt_parallel_for(cnnrt_task_fn task, void *ctx, int64_t count) {
  if (count <= 0)
    return;
  if (!cnnrt_profile_enabled()) {
    parallel_for(task, ctx, count);
    return;
  }
  double start = cnnrt_now_seconds();
  parallel_for(task, ctx, count);
  cnnrt_profile_record(task, cnnrt_now_seconds() - start);
}
