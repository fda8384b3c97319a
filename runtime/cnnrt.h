/* cnnrt.h - public interface of libcnnrt, the runtime that cnnc-generated
 * models link against: model description, the generated executable's main,
 * aligned buffers, timing and float32 .npy I/O. */
#ifndef CNNRT_H
#define CNNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNNRT_VERSION "0.1.0"
#define CNNRT_MAX_RANK 8
/* Alignment of every buffer handed to a model's run function. */
#define CNNRT_ALIGNMENT 64

/* One model input or output: all tensors are float32 in C order. */
typedef struct {
  const char *name;
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
} cnnrt_tensor_info;

/* What a generated executable hands to cnnrt_main. */
typedef struct {
  const char *name;
  int num_inputs;
  const cnnrt_tensor_info *inputs;
  int num_outputs;
  const cnnrt_tensor_info *outputs;
  size_t workspace_bytes;
  int (*run)(const float *const *inputs, float *const *outputs,
             void *workspace);
} cnnrt_model;

/* Command-line driver of a generated executable (run `model --help`).
 * Returns the exit status: 0 ok, 1 the model or an allocation failed,
 * 2 bad command line or file. */
int cnnrt_main(const cnnrt_model *model, int argc, char **argv);

/* ---- Threads. Compiled models run their thread-level loops through
 * cnnrt_parallel_for on a pool of worker threads. The thread count is, in
 * order: the last cnnrt_set_num_threads, the CNNRT_NUM_THREADS environment
 * variable, the number of online CPUs. Results do not depend on it. */
#define CNNRT_MAX_THREADS 256

/* One block [begin, end) of a loop's iterations. */
typedef void (*cnnrt_task_fn)(void *ctx, int64_t begin, int64_t end);

/* Runs task over [0, count) split into one contiguous block per thread and
 * returns when all are done. A call made while another is running (from a
 * task or another thread) runs its loop on the calling thread alone. */
void cnnrt_parallel_for(cnnrt_task_fn task, void *ctx, int64_t count);
/* Returns 0, or -1 when n is outside [1, CNNRT_MAX_THREADS]. */
int cnnrt_set_num_threads(int n);
int cnnrt_get_num_threads(void);

/* ---- Winograd F(4x4, 3x3) weights. U = G g G^T for each input and output
 * channel pair of 3x3 HWCF weights `hwcf` [3, 3, c, f], written to `u` as
 * [36, f / block, c, block] (block divides f); computed in double. */
void cnnrt_winograd_transform(const float *hwcf, float *u, int64_t c, int64_t f,
                              int64_t block);
/* The same, once, on the thread pool: generated code calls it before each
 * run's first use of weights it transforms at run time (too large to store
 * in the executable). Returns at once when *ready is set; sets it when `u`
 * is complete. Safe to call from several threads. */
void cnnrt_winograd_weights(const float *hwcf, float *u, int64_t c, int64_t f,
                            int64_t block, int32_t *ready);

/* ---- Profile, a development aid. With CNNRT_PROFILE=1 in the environment
 * cnnrt_parallel_for times each loop it runs (wall clock of the caller);
 * `model --bench N` then prints per loop the milliseconds per run, and the
 * rest of the run's time: the code between the loops. */
int cnnrt_profile_enabled(void);
void cnnrt_profile_reset(void);
/* Prints the table for `runs` runs that took `total_ms` each on average. */
void cnnrt_profile_print(double total_ms, long runs);

/* Product of the dims (1 for rank 0); SIZE_MAX if the rank is out of range,
 * a dim is negative, or the product (in bytes, times 4) overflows size_t. */
size_t cnnrt_num_elements(const cnnrt_tensor_info *t);

/* 64-byte aligned, zeroed; NULL on failure. */
void *cnnrt_aligned_alloc(size_t bytes);
/* Frees a cnnrt_aligned_alloc block; NULL is a no-op. */
void cnnrt_aligned_free(void *p);

/* Monotonic clock, in seconds from an arbitrary origin. */
double cnnrt_now_seconds(void);

/* Next value of the splitmix64 generator whose state is *state. */
uint64_t cnnrt_random_next(uint64_t *state);
/* Fills dst with n floats uniform in [-1, 1), advancing *state. */
void cnnrt_random_fill(float *dst, size_t n, uint64_t *state);

/* .npy: f32 ('<f4'), C order, version 1.0/2.0/3.0 headers. Return 0 on
 * success, otherwise write a one-line message (no trailing newline) into err
 * and return nonzero. read checks the shape against `t` exactly and names both
 * shapes on mismatch; bytes after the data are an error (likely a wrong
 * file). write goes through a temp file + rename, so a failure never leaves a
 * half-written file at `path`. */
int cnnrt_npy_read(const char *path, const cnnrt_tensor_info *t, float *dst,
                   char *err, size_t err_len);
int cnnrt_npy_write(const char *path, const cnnrt_tensor_info *t,
                    const float *src, char *err, size_t err_len);

/* Writes "[d0, d1, ...]" into buf (truncating safely); returns buf. */
char *cnnrt_format_shape(const int64_t *shape, int rank, char *buf,
                         size_t buf_len);

/* Prints "NAME: f32[d0, ...]" and the values as nested brackets (numpy
 * style), or a one-line summary above 1000 elements, to stdout. */
void cnnrt_print_tensor(const cnnrt_tensor_info *t, const float *v);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_H */
