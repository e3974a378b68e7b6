/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers as people read them: durations, sizes and rates in a few columns. */
#ifndef KTOP_FORMAT_H
#define KTOP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* A duration in microseconds: "850us", "1.25ms", "3.40s". */
char *format_usecs(char *buf, size_t len, double us);
/* A byte count in binary units: "512", "4K", "1.5M". */
char *format_bytes(char *buf, size_t len, uint64_t bytes);
/* A wall-clock time (seconds since the epoch) as local "HH:MM:SS". */
char *format_clock(char *buf, size_t len, double t);
/* Elapsed seconds as "MM:SS" or "H:MM:SS". */
char *format_elapsed(char *buf, size_t len, double seconds);

#endif
