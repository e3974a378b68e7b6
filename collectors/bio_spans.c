// SPDX-License-Identifier: GPL-2.0
/* Spans of the bio collector: per-disk and per-process figures as the difference of readings. */
#include "collectors/bio_spans.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio_disk_names.h"
#include "collectors/bio_model.h"
#include "collectors/bio_reading.h"
#include "collectors/hist.h"
#include "util/xalloc.h"
#include "bpf/bio.h"

/* a - b, or 0 when b is larger. */
static uint64_t bio_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* out = a - b, never below zero. */
static void bio_stats_sub(struct bio_stats *out, const struct bio_stats *a,
			  const struct bio_stats *b)
{
	hist_sub(&out->lat_device, &a->lat_device, &b->lat_device);
	hist_sub(&out->lat_total, &a->lat_total, &b->lat_total);
	hist_sub(&out->size, &a->size, &b->size);
	out->ios = bio_sub(a->ios, b->ios);
	out->bytes = bio_sub(a->bytes, b->bytes);
	out->slow = bio_sub(a->slow, b->slow);
}

/* Order disks by name, then dev. */
static int bio_disk_name_cmp(const void *a, const void *b)
{
	const struct bio_disk *x = a;
	const struct bio_disk *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* Order processes by ios descending, then bytes descending, then pid and dev. */
static int bio_proc_ios_cmp(const void *a, const void *b)
{
	const struct bio_proc *x = a;
	const struct bio_proc *y = b;

	if (x->ios != y->ios)
		return x->ios > y->ios ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return bio_proc_key_cmp(a, b);
}

/*
 * Fill span with what happened between readings b and a. Every disk still present is
 * listed, so rows stay put; a vanished disk only while it has I/O in the span.
 */
void bio_span_build(struct bio_name_cache *names, struct bio_span *span,
		    const struct bio_reading *a, const struct bio_reading *b)
{
	static const struct bio_stats zero;

	bio_span_clear(span);
	span->seconds = a->at > b->at ? a->at - b->at : 0;
	span->unknown_submitter = bio_sub(a->counters[BIO_STAT_UNKNOWN_SUBMITTER],
					  b->counters[BIO_STAT_UNKNOWN_SUBMITTER]);

	if (a->ndisks)
		span->disks = xcalloc(a->ndisks, sizeof(*span->disks));
	for (size_t i = 0; i < a->ndisks; i++) {
		const struct bio_rdisk *ad = &a->disks[i];
		const struct bio_rdisk *bd = bio_reading_disk(b, ad->dev);
		struct bio_disk *d = &span->disks[span->ndisks];
		const struct bio_name *n = bio_name_of(names, ad->dev);
		uint64_t ios = 0;

		memset(d, 0, sizeof(*d));
		d->dev = ad->dev;
		for (unsigned int op = 0; op < BIO_OP_COUNT; op++) {
			bio_stats_sub(&d->op[op], &ad->op[op], bd ? &bd->op[op] : &zero);
			ios += d->op[op].ios;
		}
		if (n->gone && !ios)
			continue;
		snprintf(d->name, sizeof(d->name), "%s", n->name);
		d->gone = n->gone;
		span->ndisks++;
	}
	if (span->ndisks)
		qsort(span->disks, span->ndisks, sizeof(*span->disks), bio_disk_name_cmp);

	for (size_t i = 0; i < a->nprocs; i++) {
		const struct bio_proc *ap = &a->procs[i];
		const struct bio_proc *bp;
		struct bio_proc *p;
		uint64_t ios;

		bp = bio_procs_find(b->procs, b->nprocs, ap->pid, ap->dev);
		ios = bio_sub(ap->ios, bp ? bp->ios : 0);
		if (!ios)
			continue;
		if (!span->procs)
			span->procs = xcalloc(a->nprocs - i, sizeof(*span->procs));
		p = &span->procs[span->nprocs++];
		*p = *ap;
		p->ios = ios;
		p->bytes = bio_sub(ap->bytes, bp ? bp->bytes : 0);
		p->lat_us_sum = bio_sub(ap->lat_us_sum, bp ? bp->lat_us_sum : 0);
	}
	if (span->nprocs)
		qsort(span->procs, span->nprocs, sizeof(*span->procs), bio_proc_ios_cmp);
}
