/* Aligned, zeroed buffers for model inputs, outputs and workspaces. */
#include "cnnrt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *cnnrt_aligned_alloc(size_t bytes) {
  /* C11 aligned_alloc wants a multiple of the alignment; a zero-byte request
   * still gets a real block so callers never see NULL for empty tensors. */
  if (bytes > SIZE_MAX - (CNNRT_ALIGNMENT - 1))
    return NULL;
  size_t rounded =
      (bytes + CNNRT_ALIGNMENT - 1) & ~(size_t)(CNNRT_ALIGNMENT - 1);
  if (rounded == 0)
    rounded = CNNRT_ALIGNMENT;
  void *p = aligned_alloc(CNNRT_ALIGNMENT, rounded);
  if (p)
    memset(p, 0, rounded);
  return p;
}

void cnnrt_aligned_free(void *p) { free(p); }
