// SPDX-License-Identifier: GPL-2.0
#include "collectors/bio_sum.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Order disks by name, then dev. */
static int disk_cmp(const void *a, const void *b)
{
	const struct bio_disk *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->dev > y->dev) - (x->dev < y->dev);
}

/* Order processes by I/Os, most first, then by pid and dev. */
static int proc_cmp(const void *a, const void *b)
{
	const struct bio_proc *x = a, *y = b;

	if (x->ios != y->ios)
		return x->ios > y->ios ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->dev > y->dev) - (x->dev < y->dev);
}

void bio_span_add(struct bio_span *sum, const struct bio_span *s)
{
	for (size_t i = 0; i < s->ndisks; i++) {
		const struct bio_disk *d = &s->disks[i];
		struct bio_disk *t = NULL;

		for (size_t k = 0; k < sum->ndisks && !t; k++)
			if (sum->disks[k].dev == d->dev)
				t = &sum->disks[k];
		if (!t) {
			sum->disks = xreallocarray(sum->disks, sum->ndisks + 1,
						   sizeof(*sum->disks));
			t = &sum->disks[sum->ndisks++];
			memset(t, 0, sizeof(*t));
			t->dev = d->dev;
		}
		memcpy(t->name, d->name, sizeof(t->name));
		t->gone = d->gone;
		for (int op = 0; op < BIO_OP_COUNT; op++)
			bio_stats_add(&t->op[op], &d->op[op]);
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct bio_proc *p = &s->procs[i];
		struct bio_proc *t = NULL;

		for (size_t k = 0; k < sum->nprocs && !t; k++)
			if (sum->procs[k].pid == p->pid && sum->procs[k].dev == p->dev)
				t = &sum->procs[k];
		if (!t) {
			sum->procs = xreallocarray(sum->procs, sum->nprocs + 1,
						   sizeof(*sum->procs));
			t = &sum->procs[sum->nprocs++];
			memset(t, 0, sizeof(*t));
			t->pid = p->pid;
			t->dev = p->dev;
		}
		memcpy(t->comm, p->comm, sizeof(t->comm));
		t->ios += p->ios;
		t->bytes += p->bytes;
		t->lat_us_sum += p->lat_us_sum;
	}
	sum->seconds += s->seconds;
	sum->unknown_submitter += s->unknown_submitter;
	if (sum->ndisks > 1)
		qsort(sum->disks, sum->ndisks, sizeof(*sum->disks), disk_cmp);
	if (sum->nprocs > 1)
		qsort(sum->procs, sum->nprocs, sizeof(*sum->procs), proc_cmp);
}

void bio_span_set(struct bio_span *dst, const struct bio_span *src)
{
	bio_span_clear(dst);
	bio_span_add(dst, src);
}
