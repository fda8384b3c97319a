/* Classifies a 1x1x28x28 .npy image with two models compiled by
 * cnnc_add_model: prints each model's best class, and with output paths
 * writes each model's logits as .npy. */
#include "cnnrt.h"
#include "digits_mlp.h"
#include "lenet5.h"

#include <stdio.h>

static int best(const float *logits, int n) {
  int k = 0;
  for (int i = 1; i < n; ++i)
    if (logits[i] > logits[k])
      k = i;
  return k;
}

static int save(const char *path, const char *name, const float *logits) {
  cnnrt_tensor_info info = {name, 2, {1, 10}};
  char err[256];
  if (cnnrt_npy_write(path, &info, logits, err, sizeof(err)) != 0) {
    fprintf(stderr, "classify: %s\n", err);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: classify IMAGE.npy [LENET5.npy MLP.npy]\n");
    return 2;
  }
  static float image[LENET5_IMAGE_SIZE];
  cnnrt_tensor_info input = {"image", LENET5_IMAGE_RANK, {1, 1, 28, 28}};
  char err[256];
  if (cnnrt_npy_read(argv[1], &input, image, err, sizeof(err)) != 0) {
    fprintf(stderr, "classify: %s\n", err);
    return 1;
  }
  float lenet[LENET5_LOGITS_SIZE], mlp[DIGITS_MLP_LOGITS_SIZE];
  void *ws =
      cnnrt_aligned_alloc(lenet5_workspace_bytes > digits_mlp_workspace_bytes
                              ? lenet5_workspace_bytes
                              : digits_mlp_workspace_bytes);
  if (!ws || lenet5_run(image, lenet, ws) != 0 ||
      digits_mlp_run(image, mlp, ws) != 0)
    return 1;
  cnnrt_aligned_free(ws);
  printf("lenet5: class %d\n", best(lenet, LENET5_LOGITS_SIZE));
  printf("digits_mlp: class %d\n", best(mlp, DIGITS_MLP_LOGITS_SIZE));
  if (argc == 4 &&
      (save(argv[2], "logits", lenet) || save(argv[3], "logits", mlp)))
    return 1;
  return 0;
}
