// SPDX-License-Identifier: GPL-2.0
#include "collectors/sql_range.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* m's digest of fingerprint fp from a server of kind, or NULL. */
static struct sql_digest *find_digest(const struct sql_model *m, const char *fp,
				      enum sql_kind kind)
{
	for (size_t i = 0; fp && i < m->ndigests; i++)
		if (m->digests[i].kind == kind && !strcmp(m->digests[i].fingerprint, fp))
			return &m->digests[i];
	return NULL;
}

void sql_range_take(struct sql_model *dst, struct sql_model *src)
{
	size_t n = src->nqueries;

	if (!n)
		return;
	dst->queries = xreallocarray(dst->queries, dst->nqueries + n, sizeof(*dst->queries));
	for (size_t i = 0; i < n; i++) {
		struct sql_query *q = &dst->queries[dst->nqueries++];
		const struct sql_digest *d;

		*q = src->queries[i];
		d = find_digest(dst, q->fingerprint, q->kind);
		q->fingerprint = d ? d->fingerprint : NULL;
	}
	free(src->queries);
	src->queries = NULL;
	src->nqueries = 0;
	sql_model_trim(dst);
}

/* The largest latency of m's listed queries of digest d; 0 when none is listed. */
static uint64_t listed_max(const struct sql_model *m, const struct sql_digest *d)
{
	uint64_t max = 0;

	for (size_t i = 0; i < m->nqueries; i++)
		if (m->queries[i].fingerprint == d->fingerprint && m->queries[i].latency_us > max)
			max = m->queries[i].latency_us;
	return max;
}

/* d less b, an earlier reading of it; false when nothing is left. */
static bool digest_sub(const struct sql_model *m, struct sql_digest *d, const struct sql_digest *b)
{
	unsigned int first, last;

	d->count -= b->count;
	d->total_us = d->total_us > b->total_us ? d->total_us - b->total_us : 0;
	hist_sub(&d->lat_us, &d->lat_us, &b->lat_us);
	d->waits_count = d->waits_count > b->waits_count ? d->waits_count - b->waits_count : 0;
	for (int k = 0; k < SCHED_NCLASSES; k++)
		d->waits.ns[k] = d->waits.ns[k] > b->waits.ns[k] ? d->waits.ns[k] - b->waits.ns[k]
								 : 0;
	d->waits.switches -= d->waits.switches > b->waits.switches ? b->waits.switches
								   : d->waits.switches;
	d->waits.io_count -= d->waits.io_count > b->waits.io_count ? b->waits.io_count
								   : d->waits.io_count;
	d->waits.io_bytes -= d->waits.io_bytes > b->waits.io_bytes ? b->waits.io_bytes
								   : d->waits.io_bytes;
	if (!d->count)
		return false;
	/* a larger maximum than before was seen in the range; else the range's own */
	if (d->max_us <= b->max_us) {
		uint64_t max = listed_max(m, d);

		if (!max && hist_range(&d->lat_us, &first, &last))
			max = hist_slot_high(last);
		if (max && max < d->max_us)
			d->max_us = max;
	}
	return true;
}

void sql_range_digest_since(struct sql_model *m, const struct sql_model *before)
{
	size_t kept = 0;

	/* a reset in between: the digest since it is the range's */
	if (!before || before->seen > m->seen)
		return;
	m->interval_from = before->seen;
	for (size_t i = 0; i < m->ndigests; i++) {
		struct sql_digest *d = &m->digests[i];
		const struct sql_digest *b = find_digest(before, d->fingerprint, d->kind);

		if (b && b->count <= d->count && !digest_sub(m, d, b)) {
			/* no query of the range points at it: it had none */
			for (size_t q = 0; q < m->nqueries; q++)
				if (m->queries[q].fingerprint == d->fingerprint)
					m->queries[q].fingerprint = NULL;
			free(d->fingerprint);
			continue;
		}
		m->digests[kept++] = *d;
	}
	m->ndigests = kept;
}
