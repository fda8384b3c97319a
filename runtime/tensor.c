/* Shape helpers shared by the .npy code and the driver. */
#include "cnnrt.h"

#include <stdio.h>

size_t cnnrt_num_elements(const cnnrt_tensor_info *t) {
  if (!t || t->rank < 0 || t->rank > CNNRT_MAX_RANK)
    return SIZE_MAX;
  for (int i = 0; i < t->rank; ++i) {
    if (t->shape[i] < 0)
      return SIZE_MAX;
    /* A zero dim empties the tensor, even if the other dims would overflow. */
    if (t->shape[i] == 0)
      return 0;
  }
  /* Cap at SIZE_MAX / 4 so callers can multiply by sizeof(float) freely. */
  const size_t limit = SIZE_MAX / sizeof(float);
  size_t n = 1;
  for (int i = 0; i < t->rank; ++i) {
    uint64_t d = (uint64_t)t->shape[i];
    if (d > limit || n > limit / (size_t)d)
      return SIZE_MAX;
    n *= (size_t)d;
  }
  return n;
}

char *cnnrt_format_shape(const int64_t *shape, int rank, char *buf,
                         size_t buf_len) {
  if (!buf || buf_len == 0)
    return buf;
  size_t pos = 0;
  buf[0] = '\0';
  /* snprintf never overruns; stop appending once the buffer is full. */
  for (int i = -1; i <= rank && pos < buf_len; ++i) {
    int w;
    if (i == -1)
      w = snprintf(buf + pos, buf_len - pos, "[");
    else if (i == rank)
      w = snprintf(buf + pos, buf_len - pos, "]");
    else
      w = snprintf(buf + pos, buf_len - pos, "%s%lld", i ? ", " : "",
                   (long long)shape[i]);
    if (w < 0)
      break;
    pos += (size_t)w;
  }
  return buf;
}
