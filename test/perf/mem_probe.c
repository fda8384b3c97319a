/* Memory floor of a layer on one core: the time to read an NHWC input once
 * and write an output of the layer's size once, with no arithmetic to speak
 * of. Each output vector of 16 channels is the sum of an s x s window of
 * input vectors (windows do not overlap), so every input byte is read once,
 * in row order, and every output byte written once. Before each timed pass
 * the input is rewritten, as the layer's producer (in cnnc's one-layer
 * benchmark: its input transpose) leaves it just written. No kernel that
 * moves these bytes runs faster, so FLOPs over this time bound the % of
 * peak such a layer can reach here.
 *
 *   mem_probe H W C s runs   (H and W multiples of s, C of 16)
 *
 * Prints the mean ms per pass. Build with -O2 -march=native. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: mem_probe H W C s runs\n");
    return 2;
  }
  const long h = atol(argv[1]), w = atol(argv[2]), c = atol(argv[3]);
  const long s = atol(argv[4]), runs = atol(argv[5]);
  if (h <= 0 || w <= 0 || c <= 0 || s <= 0 || runs <= 0 || h % s || w % s ||
      c % 16) {
    fprintf(stderr, "mem_probe: H, W must be multiples of s, C of 16\n");
    return 2;
  }
  const long oh = h / s, ow = w / s, in_n = h * w * c, out_n = oh * ow * c;
  float *in = aligned_alloc(64, in_n * sizeof(float));
  float *fresh = aligned_alloc(64, in_n * sizeof(float));
  float *out = aligned_alloc(64, out_n * sizeof(float));
  if (!in || !fresh || !out)
    return 1;
  for (long i = 0; i < in_n; ++i)
    fresh[i] = (float)(i % 7);
  memset(out, 0, out_n * sizeof(float));
  double total = 0;
  for (long r = 0; r < runs; ++r) {
    /* Plain stores, as a layer writes its output (memcpy may bypass the
     * caches at this size). */
    for (long i = 0; i < in_n; ++i)
      in[i] = fresh[i] + (float)r;
    double t0 = seconds();
    for (long y = 0; y < oh; ++y)
      for (long x = 0; x < ow; ++x)
        for (long k = 0; k < c; k += 16) {
          v16 sum = {0};
          for (long i = 0; i < s; ++i)
            for (long j = 0; j < s; ++j)
              sum += *(const v16 *)&in[((s * y + i) * w + s * x + j) * c + k];
          *(v16 *)&out[(y * ow + x) * c + k] = sum;
        }
    total += seconds() - t0;
  }
  printf("%.4f\n", total / runs * 1e3);
  return out[0] == 12345.f; /* keeps the passes alive */
}
