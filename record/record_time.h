/* SPDX-License-Identifier: GPL-2.0 */
/* The times and spans a user gives a recording: --keep 10m, --from 03:12:00, --to +90s. */
#ifndef KTOP_RECORD_TIME_H
#define KTOP_RECORD_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A moment in a recording, before the recording says which day it is. */
struct record_time {
	bool relative;   /* "+90s": from the first interval */
	uint64_t sec;    /* relative: seconds after it; else seconds after local midnight */
};

/* "90", "90s", "15m", "2h", "1d" to seconds (1 to 30 days); 0 or -EINVAL with why. */
int record_duration_parse(const char *s, uint64_t *sec, char *why, size_t why_len);
/*
 * --keep's value: a duration (as above) into *sec, or a size ending in B ("1024KB", "100MB",
 * "2GB", 1 MB to 1 TB) into *bytes; the other is set to 0. 0 or -EINVAL with why.
 */
int record_keep_parse(const char *s, uint64_t *sec, uint64_t *bytes, char *why, size_t why_len);
/* "HH:MM:SS" (local time) or "+DURATION"; 0 or -EINVAL with why. */
int record_time_parse(const char *s, struct record_time *t, char *why, size_t why_len);
/*
 * The CLOCK_REALTIME nanoseconds t stands for in a recording whose first interval is at
 * first_ns: a time of day is the first such moment at or after the day the recording began.
 */
uint64_t record_time_resolve(const struct record_time *t, uint64_t first_ns);

#endif
