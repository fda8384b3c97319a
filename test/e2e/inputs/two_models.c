/* Links two compiled models into one program through their headers. */
#include "cnnrt.h"
#include "lenet5.h"
#include "seed_example.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  /* seed_example has no input: the article's image is a constant. */
  float seed[SEED_EXAMPLE_RESULT_SIZE];
  void *ws = cnnrt_aligned_alloc(SEED_EXAMPLE_WORKSPACE_BYTES + 1);
  if (seed_example_run(seed, ws) != 0)
    return 1;
  cnnrt_aligned_free(ws);
  printf("seed_example: %g %g %g %g\n", seed[0], seed[1], seed[2], seed[3]);

  static float image[LENET5_IMAGE_SIZE], logits[LENET5_LOGITS_SIZE];
  for (int i = 0; i < LENET5_IMAGE_SIZE; ++i)
    image[i] = (float)(i % 29) / 29.0f - 0.5f;
  ws = cnnrt_aligned_alloc(lenet5_workspace_bytes);
  if (lenet5_run(image, logits, ws) != 0)
    return 1;
  cnnrt_aligned_free(ws);
  cnnrt_tensor_info info = {"logits", LENET5_LOGITS_RANK, {1, 10}};
  char err[256];
  if (cnnrt_npy_write(argv[1], &info, logits, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  return 0;
}
