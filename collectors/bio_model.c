// SPDX-License-Identifier: GPL-2.0
/* The Block I/O model: copies, sums and lookups over per-disk, per-operation statistics. */
#include "collectors/bio_model.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

const char *bio_op_name(enum bio_op op)
{
	switch (op) {
	case BIO_OP_READ:
		return "read";
	case BIO_OP_WRITE:
		return "write";
	case BIO_OP_FLUSH:
		return "flush";
	case BIO_OP_DISCARD:
		return "discard";
	case BIO_OP_OTHER:
		return "other";
	default:
		return "?";
	}
}

/* A heap copy of n elements of size bytes, or NULL when there are none. */
static void *bio_memdup(const void *src, size_t n, size_t size)
{
	void *dst;

	if (!n || !src)
		return NULL;
	dst = xreallocarray(NULL, n, size);
	memcpy(dst, src, n * size);
	return dst;
}

/* Deep-copy a span into dst (whose old contents are not freed). */
static void bio_span_copy(struct bio_span *dst, const struct bio_span *src)
{
	*dst = *src;
	dst->disks = bio_memdup(src->disks, src->ndisks, sizeof(*src->disks));
	dst->ndisks = dst->disks ? src->ndisks : 0;
	dst->procs = bio_memdup(src->procs, src->nprocs, sizeof(*src->procs));
	dst->nprocs = dst->procs ? src->nprocs : 0;
}

struct bio_model *bio_model_dup(const struct bio_model *m)
{
	struct bio_model *copy;

	if (!m)
		return NULL;
	copy = xmalloc(sizeof(*copy));
	*copy = *m;
	bio_span_copy(&copy->interval, &m->interval);
	bio_span_copy(&copy->cumulative, &m->cumulative);
	return copy;
}

void bio_model_free(struct bio_model *m)
{
	if (!m)
		return;
	bio_span_clear(&m->interval);
	bio_span_clear(&m->cumulative);
	free(m);
}

void bio_span_clear(struct bio_span *s)
{
	if (!s)
		return;
	free(s->disks);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

const struct bio_disk *bio_span_disk(const struct bio_span *s, uint32_t dev)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->ndisks; i++)
		if (s->disks[i].dev == dev)
			return &s->disks[i];
	return NULL;
}

/* out = the sum of the ops in op_mask of one disk, or of every disk in s when disk is NULL. */
void bio_span_sum(const struct bio_span *s, const struct bio_disk *disk, unsigned int op_mask,
		  struct bio_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (disk) {
		for (unsigned int op = 0; op < BIO_OP_COUNT; op++)
			if (op_mask & (1u << op))
				bio_stats_add(out, &disk->op[op]);
		return;
	}
	if (!s)
		return;
	for (size_t i = 0; i < s->ndisks; i++)
		for (unsigned int op = 0; op < BIO_OP_COUNT; op++)
			if (op_mask & (1u << op))
				bio_stats_add(out, &s->disks[i].op[op]);
}

void bio_stats_add(struct bio_stats *out, const struct bio_stats *in)
{
	hist_add(&out->lat_device, &in->lat_device);
	hist_add(&out->lat_total, &in->lat_total);
	hist_add(&out->size, &in->size);
	out->ios += in->ios;
	out->bytes += in->bytes;
	out->slow += in->slow;
}
