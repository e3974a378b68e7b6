/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block I/O spans added up over a range of intervals (a replay's cumulative view): each
 * disk's histograms and counters per operation added by dev (its name from the latest span),
 * each process's I/O per disk by (pid, dev), the seconds and the unattributed completions.
 */
#ifndef KTOP_BIO_SUM_H
#define KTOP_BIO_SUM_H

#include "collectors/bio_model.h"

/* sum += s: disks stay sorted by name, processes by I/Os, most first. */
void bio_span_add(struct bio_span *sum, const struct bio_span *s);
/* dst (freed first) becomes a deep copy of src. */
void bio_span_set(struct bio_span *dst, const struct bio_span *src);

#endif
