/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /metrics serves: each collector's per-interval figures added up since start, whatever
 * the panels show and whatever the user resets, written as Prometheus text once per interval
 * by the main loop and published whole, so a scrape on the HTTP threads only sends the last
 * published text (shared, counted references). Series are bounded: processes past METRICS_MAX_PROCS
 * (the least recently active first) and queries past the top fingerprints go under "[other]".
 */
#ifndef KTOP_METRICS_H
#define KTOP_METRICS_H

#include <stddef.h>

#include "collectors/collector.h"
#include "core/prom.h"

#define METRICS_MAX_COLLECTORS	 16
#define METRICS_MAX_PROCS	 4096 /* processes with series of their own */
#define METRICS_PROC_IDLE_S	 600  /* a process quiet this long may make room for one */
#define METRICS_MAX_DISKS	 64   /* the last one holds every disk past it */
#define METRICS_TOP_FINGERPRINTS 20   /* slow query fingerprints with series of their own */
#define METRICS_MAX_FINGERPRINTS 4096 /* fingerprints ranked (by time) to choose them */
#define METRICS_FINGERPRINT_LEN	 96   /* bytes of a fingerprint kept as a label */
#define METRICS_MAX_PROBES	 128

struct metrics;
struct metrics_text;

/* An empty accumulation; never fails (aborts on out of memory). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
/*
 * Add collector number idx's last interval from model, a snapshot taken right after its poll
 * (its type is the collector's), and follow its drop counters. now: CLOCK_MONOTONIC seconds.
 */
void metrics_feed(struct metrics *m, size_t idx, const struct collector *c, const void *model,
		  double now);
/*
 * Write everything accumulated, and which of the n collectors run, into out (the top slow
 * query fingerprints are chosen here, for good).
 */
void metrics_render(struct metrics *m, const struct collector *cs, size_t n, struct prom_buf *out);
/* Make text (malloc'd, taken over) what scrapes get from now on. Any thread. */
void metrics_publish(struct metrics *m, char *text, size_t len);
/*
 * The last published text, shared, not copied: its bytes and length, and a reference in *ref
 * that keeps them alive until metrics_text_put (on any thread). NULL before the first.
 */
const char *metrics_text_get(struct metrics *m, size_t *len, struct metrics_text **ref);
/* Drop a reference from metrics_text_get; the last one frees the text. NULL does nothing. */
void metrics_text_put(struct metrics_text *t);

#endif
