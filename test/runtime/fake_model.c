/* A hand-written stand-in for a cnnc-compiled model, used to test libcnnrt's
 * driver without the compiler. It follows the generated-code contract:
 * one pointer per input, then per output, then a 64-byte aligned workspace.
 *
 * CNNRT_FAKE_MODEL selects a variant so one executable covers the shapes of
 * model the driver must handle:
 *   (unset) "fake":   a[2,3], b[2,3] -> sum = a + b [2,3], scaled = 2a [1,2,3]
 *   "single":         x[3] -> y = 10x [3]  (single input/output shortcuts)
 *   "const":          no inputs -> out[1,1,2,2], big[40,40], s[], empty[2,0]
 *   "fail":           x[3] -> y[3], run returns 7 */
#include "cnnrt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int aligned(const void *p) { return ((uintptr_t)p % 64) == 0; }

#define FAKE_WORKSPACE_BYTES 256

static int fake_run(const float *a, const float *b, float *sum, float *scaled,
                    void *workspace) {
  if (!aligned(a) || !aligned(b) || !aligned(sum) || !aligned(scaled) ||
      !aligned(workspace))
    return 1;
  /* Go through the workspace so a too-small one shows up under ASan. */
  float *tmp = workspace;
  for (int i = 0; i < 6; ++i)
    tmp[i] = a[i] + b[i];
  memset(tmp + 6, 0, FAKE_WORKSPACE_BYTES - 6 * sizeof(float));
  for (int i = 0; i < 6; ++i) {
    sum[i] = tmp[i];
    scaled[i] = 2.0f * a[i];
  }
  return 0;
}

static int fake_entry(const float *const *in, float *const *out, void *ws) {
  return fake_run(in[0], in[1], out[0], out[1], ws);
}

static int single_entry(const float *const *in, float *const *out, void *ws) {
  (void)ws;
  for (int i = 0; i < 3; ++i)
    out[0][i] = 10.0f * in[0][i];
  return 0;
}

static int fail_entry(const float *const *in, float *const *out, void *ws) {
  (void)in, (void)out, (void)ws;
  return 7;
}

static int const_entry(const float *const *in, float *const *out, void *ws) {
  (void)in, (void)ws;
  static const float small[4] = {10, 13, 19, 22};
  memcpy(out[0], small, sizeof(small));
  for (int i = 0; i < 1600; ++i)
    out[1][i] = (float)((i * 37) % 1601) * 0.25f;
  out[2][0] = 3.5f;
  return 0;
}

static const cnnrt_tensor_info fake_inputs[] = {{"a", 2, {2, 3}},
                                                {"b", 2, {2, 3}}};
static const cnnrt_tensor_info fake_outputs[] = {{"sum", 2, {2, 3}},
                                                 {"scaled", 3, {1, 2, 3}}};
static const cnnrt_model fake_model = {
    .name = "fake",
    .num_inputs = 2,
    .inputs = fake_inputs,
    .num_outputs = 2,
    .outputs = fake_outputs,
    .workspace_bytes = FAKE_WORKSPACE_BYTES,
    .run = fake_entry,
};

static const cnnrt_tensor_info x_input[] = {{"x", 1, {3}}};
static const cnnrt_tensor_info y_output[] = {{"y", 1, {3}}};
static const cnnrt_model single_model = {
    .name = "single",
    .num_inputs = 1,
    .inputs = x_input,
    .num_outputs = 1,
    .outputs = y_output,
    .workspace_bytes = 0,
    .run = single_entry,
};
static const cnnrt_model fail_model = {
    .name = "fail",
    .num_inputs = 1,
    .inputs = x_input,
    .num_outputs = 1,
    .outputs = y_output,
    .workspace_bytes = 0,
    .run = fail_entry,
};

static const cnnrt_tensor_info const_outputs[] = {{"out", 4, {1, 1, 2, 2}},
                                                  {"big", 2, {40, 40}},
                                                  {"s", 0, {0}},
                                                  {"empty", 2, {2, 0}}};
static const cnnrt_model const_model = {
    .name = "const",
    .num_inputs = 0,
    .inputs = NULL,
    .num_outputs = 4,
    .outputs = const_outputs,
    .workspace_bytes = 64,
    .run = const_entry,
};

int main(int argc, char **argv) {
  const char *variant = getenv("CNNRT_FAKE_MODEL");
  const cnnrt_model *model = &fake_model;
  if (variant && strcmp(variant, "single") == 0)
    model = &single_model;
  else if (variant && strcmp(variant, "const") == 0)
    model = &const_model;
  else if (variant && strcmp(variant, "fail") == 0)
    model = &fail_model;
  return cnnrt_main(model, argc, argv);
}
