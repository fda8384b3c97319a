/* profile.h - libcnnrt-internal: what cnnrt_parallel_for records for
 * CNNRT_PROFILE. */
#ifndef CNNRT_PROFILE_H
#define CNNRT_PROFILE_H

#include "cnnrt.h"

/* Adds one call of `task` that took `seconds`. */
void cnnrt_profile_record(cnnrt_task_fn task, double seconds);

#endif /* CNNRT_PROFILE_H */
