/* gst-flumotion bench and test tools
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Small helpers shared by the load and hostile clients (plain C, no
 * GLib). */

#ifndef __FLU_BENCH_H__
#define __FLU_BENCH_H__

#include <time.h>

/* Monotonic time in seconds. */
static inline double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
