/* SPDX-License-Identifier: GPL-2.0 */
/* Strict parsing of what a user types (options and prompts): whole string, range checked. */
#ifndef KTOP_PARSE_H
#define KTOP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Each returns 0, or -EINVAL/-ERANGE with a one-line reason in why, such as
 * "'abc' is not a number" or "'0' is out of range (1 to 3600)"; callers add which option.
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t why_len);
/* A decimal number of seconds such as "1", "0.5" or "2.25". */
int parse_seconds(const char *s, double min, double max, double *out, char *why, size_t why_len);
/* A yes/no word: yes, no, on, off, true, false, 1, 0 (any case). */
int parse_bool(const char *s, bool *out, char *why, size_t why_len);
/*
 * A comma-separated list of PIDs ("12,34"); each must be a live process (-ESRCH otherwise,
 * "no process with PID 99999"). Duplicates are dropped. At most max PIDs.
 */
int parse_pid_list(const char *s, uint32_t *pids, size_t max, size_t *n, char *why, size_t why_len);

#endif
