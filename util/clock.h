/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a clock as seconds. */
#ifndef KTOP_CLOCK_H
#define KTOP_CLOCK_H

#include <time.h>

/* Seconds on a clock (CLOCK_MONOTONIC for intervals, CLOCK_REALTIME for wall time). */
double clock_seconds(clockid_t id);

#endif
