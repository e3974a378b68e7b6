/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition format (version 0.0.4) written into a growing buffer:
 * HELP and TYPE lines, samples with escaped label values, and classic histograms made from
 * ktop's log2 histograms (cumulative buckets, le="+Inf", _sum and _count).
 */
#ifndef KTOP_PROM_H
#define KTOP_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/hist.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_MAX_LABELS	  6

/* The exposition being written; data is NUL-terminated and owned (prom_buf_free). */
struct prom_buf {
	char *data;
	size_t len;
	size_t cap;
};

struct prom_label {
	const char *name;
	const char *value; /* any bytes: escaped on the way out */
};

/* What a histogram's slots count, and so its bucket bounds and unit. */
enum prom_hist_unit {
	PROM_HIST_USECS, /* microseconds truncated from ns, written in seconds: le = 2^(k+1) us */
	PROM_HIST_BYTES, /* whole bytes: le = the slot's largest value */
};

void prom_buf_init(struct prom_buf *b);
void prom_buf_free(struct prom_buf *b);
/* Hand the text over to the caller (who frees it) and leave b empty. */
char *prom_buf_take(struct prom_buf *b, size_t *len);
/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram). */
void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help);
/* One sample: name{labels} value, the value an integer. */
void prom_sample_u64(struct prom_buf *b, const char *name, const struct prom_label *l, size_t nl,
		     uint64_t value);
/* One sample with a real value (seconds). */
void prom_sample_f64(struct prom_buf *b, const char *name, const struct prom_label *l, size_t nl,
		     double value);
/* A histogram's series under labels: _bucket{...,le} for every slot, le="+Inf", _sum, _count. */
void prom_hist(struct prom_buf *b, const char *name, const struct prom_label *l, size_t nl,
	       const struct hist *h, enum prom_hist_unit unit);
/* A label value escaped by the format's rules into b: \\, \" and \n; invalid UTF-8 as '?'. */
void prom_escape_value(struct prom_buf *b, const char *value);

#endif
