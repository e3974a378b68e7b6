// SPDX-License-Identifier: GPL-2.0
#include "collectors/sql_codec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/codec_text.h"
#include "util/xalloc.h"

#define SQL_CODEC_FLAG_TRUNCATED 1u
#define SQL_CODEC_FLAG_PREPARED	 2u
#define SQL_CODEC_LIST_MAX	 (1u << 22) /* --max-queries' bound: a list a replay keeps */

/* The fewest bytes a server, a digest and a query take: counts are checked against them. */
#define SQL_SERVER_MIN_BYTES 6
#define SQL_DIGEST_MIN_BYTES 21
#define SQL_QUERY_MIN_BYTES  35

/* A query's waits, or a digest's sums of them. */
static void put_waits(struct codec_out *out, const struct sql_query_waits *w)
{
	codec_put_varint(out, SCHED_NCLASSES);
	for (int i = 0; i < SCHED_NCLASSES; i++)
		codec_put_varint(out, w->ns[i]);
	codec_put_varint(out, w->switches);
	codec_put_varint(out, w->io_count);
	codec_put_varint(out, w->io_bytes);
}

/* A histogram as its non-empty slots and its sum. */
static void put_hist(struct codec_out *out, const struct hist *h)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < HIST_SLOTS; s++)
		n += h->slots[s] != 0;
	codec_put_varint(out, n);
	for (unsigned int s = 0; s < HIST_SLOTS; s++) {
		if (!h->slots[s])
			continue;
		codec_put_bytes(out, &(uint8_t){ (uint8_t)s }, 1);
		codec_put_varint(out, h->slots[s]);
	}
	codec_put_varint(out, h->sum);
}

/* A digest's fingerprint (the pointer its queries hold) and its number. */
struct digest_ref {
	const char *fp;
	size_t digest;
};

/* Order references by pointer. */
static int digest_ref_cmp(const void *a, const void *b)
{
	const struct digest_ref *x = a, *y = b;

	return x->fp < y->fp ? -1 : x->fp > y->fp;
}

/* m's digests by the pointer of their fingerprint, to find a query's (free it). */
static struct digest_ref *digest_refs(const struct sql_model *m)
{
	struct digest_ref *refs = xreallocarray(NULL, m->ndigests ? m->ndigests : 1, sizeof(*refs));

	for (size_t i = 0; i < m->ndigests; i++)
		refs[i] = (struct digest_ref){ m->digests[i].fingerprint, i };
	qsort(refs, m->ndigests, sizeof(*refs), digest_ref_cmp);
	return refs;
}

/* The number of q's digest among n refs, + 1 (0: none). */
static uint64_t digest_ref(const struct digest_ref *refs, size_t n, const struct sql_query *q)
{
	struct digest_ref key = { .fp = q->fingerprint };
	const struct digest_ref *r;

	r = q->fingerprint ? bsearch(&key, refs, n, sizeof(*refs), digest_ref_cmp) : NULL;
	return r ? r->digest + 1 : 0;
}

/* One query of the interval, its blocked stacks and their notes. */
static void put_query(struct stack_codec *c, const struct digest_ref *refs, size_t nrefs,
		      const struct sql_query *q, struct codec_out *out)
{
	codec_put_double(out, q->time);
	codec_put_double(out, q->start);
	codec_put_varint(out, q->pid);
	codec_put_varint(out, q->tid);
	codec_put_bytes(out, &(uint8_t){ (uint8_t)q->kind }, 1);
	codec_put_varint(out, q->latency_us);
	codec_put_str(out, q->text);
	codec_put_bytes(out, &(uint8_t){ (q->truncated ? SQL_CODEC_FLAG_TRUNCATED : 0) |
					 (q->prepared ? SQL_CODEC_FLAG_PREPARED : 0) }, 1);
	codec_put_varint(out, digest_ref(refs, nrefs, q));
	codec_put_varint(out, q->server_pid);
	codec_put_varint(out, q->seq);
	codec_put_field(out, q->database, sizeof(q->database));
	codec_put_field(out, q->user, sizeof(q->user));
	put_waits(out, &q->waits);
	stack_set_encode(c, &q->stacks, out);
	for (size_t i = 0; i < q->stacks.nsamples && i < SQL_QUERY_STACKS_MAX; i++) {
		const struct sql_stack_info *in = &q->stack_info[i];

		codec_put_bytes(out, &in->cls, 1);
		codec_put_bytes(out, &in->kclass, 1);
		codec_put_bytes(out, &(uint8_t){ in->dwarf }, 1);
		codec_put_str(out, in->rule);
	}
}

void sql_model_encode(struct stack_codec *c, const struct sql_model *m, struct codec_out *out)
{
	size_t start = sql_model_interval_start(m);

	codec_put_varint(out, SQL_CODEC_VERSION);
	codec_put_varint(out, m->threshold_ms);
	codec_put_varint(out, m->text_limit);
	codec_put_varint(out, m->list_max);
	codec_put_varint(out, m->seen);
	codec_put_varint(out, m->interval_from);
	codec_put_varint(out, m->unlisted);
	codec_put_varint(out, m->lost);
	codec_put_varint(out, m->waits_repaired);
	codec_put_varint(out, m->stacks_not_copied);
	codec_put_varint(out, m->polls);
	for (int i = 0; i < SQL_HISTORY_S; i++)
		codec_put_varint(out, m->per_second[i]);
	for (int k = 0; k < 2; k++)
		codec_put_field(out, m->rules_warning[k], sizeof(m->rules_warning[k]));
	codec_put_varint(out, m->nservers);
	for (size_t i = 0; i < m->nservers; i++) {
		const struct sql_server *s = &m->servers[i];

		codec_put_varint(out, s->pid);
		codec_put_bytes(out, &(uint8_t){ (uint8_t)s->kind }, 1);
		codec_put_field(out, s->exe, sizeof(s->exe));
		codec_put_field(out, s->how, sizeof(s->how));
		codec_put_field(out, s->why, sizeof(s->why));
		codec_put_bytes(out, &(uint8_t){ s->traced }, 1);
	}
	codec_put_varint(out, m->ndigests);
	for (size_t i = 0; i < m->ndigests; i++) {
		const struct sql_digest *d = &m->digests[i];

		codec_put_str(out, d->fingerprint);
		codec_put_bytes(out, &(uint8_t){ (uint8_t)d->kind }, 1);
		codec_put_varint(out, d->count);
		codec_put_varint(out, d->total_us);
		codec_put_varint(out, d->max_us);
		codec_put_double(out, d->last_seen);
		put_hist(out, &d->lat_us);
		codec_put_varint(out, d->waits_count);
		put_waits(out, &d->waits);
	}
	codec_put_varint(out, m->nqueries - start);
	if (start < m->nqueries) {
		struct digest_ref *refs = digest_refs(m);

		for (size_t i = start; i < m->nqueries; i++)
			put_query(c, refs, m->ndigests, &m->queries[i], out);
		free(refs);
	}
}

/* A server kind: 0 or 1. */
static enum sql_kind get_kind(struct codec_in *in)
{
	uint8_t k = codec_get_u8(in);

	if (k > SQL_KIND_PG)
		in->bad = true;
	return k == SQL_KIND_PG ? SQL_KIND_PG : SQL_KIND_MYSQL;
}

/* A stack's class: one of the scheduler's, or "mixed". */
static uint8_t get_class(struct codec_in *in)
{
	uint8_t c = codec_get_u8(in);

	if (c >= SCHED_NCLASSES && c != SQL_STACK_CLASS_MIXED)
		in->bad = true;
	return c;
}

/* Waits as put_waits wrote them (as many classes as this ktop knows). */
static void get_waits(struct codec_in *in, struct sql_query_waits *w)
{
	uint64_t n = codec_get_varint(in);

	/* a writer with more classes than this one knows is another version */
	if (n != SCHED_NCLASSES)
		in->bad = true;
	for (int i = 0; i < SCHED_NCLASSES && !in->bad; i++)
		w->ns[i] = codec_get_varint(in);
	w->switches = codec_get_varint(in);
	w->io_count = codec_get_varint(in);
	w->io_bytes = codec_get_varint(in);
}

/* A histogram as put_hist wrote it: its slots in order, each once. */
static void get_hist(struct codec_in *in, struct hist *h)
{
	size_t n = codec_get_count(in, 2, HIST_SLOTS);
	int last = -1;

	for (size_t i = 0; i < n && !in->bad; i++) {
		uint8_t s = codec_get_u8(in);

		/* slots in order, each once */
		if (s >= HIST_SLOTS || (int)s <= last) {
			in->bad = true;
			break;
		}
		last = s;
		h->slots[s] = codec_get_varint(in);
		h->count += h->slots[s];
	}
	h->sum = codec_get_varint(in);
}

/* The servers; false when the cursor went bad. */
static bool read_servers(struct codec_in *in, struct sql_model *m)
{
	m->nservers = codec_get_count(in, SQL_SERVER_MIN_BYTES, 1u << 20);
	m->servers = m->nservers ? xcalloc(m->nservers, sizeof(*m->servers)) : NULL;
	for (size_t i = 0; i < m->nservers && !in->bad; i++) {
		struct sql_server *s = &m->servers[i];

		s->pid = codec_get_u32(in);
		s->kind = get_kind(in);
		codec_get_field(in, s->exe, sizeof(s->exe));
		codec_get_field(in, s->how, sizeof(s->how));
		codec_get_field(in, s->why, sizeof(s->why));
		s->traced = codec_get_flag(in);
	}
	return !in->bad;
}

/* The digest rows (their count in m as they are read, so all are freed); false if bad. */
static bool read_digests(struct codec_in *in, struct sql_model *m)
{
	size_t n = codec_get_count(in, SQL_DIGEST_MIN_BYTES, SQL_DIGESTS_MAX);

	m->digests = n ? xcalloc(n, sizeof(*m->digests)) : NULL;
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct sql_digest *d = &m->digests[i];

		m->ndigests++;
		d->fingerprint = codec_get_text(in);
		d->kind = get_kind(in);
		d->count = codec_get_varint(in);
		d->total_us = codec_get_varint(in);
		d->max_us = codec_get_varint(in);
		d->last_seen = codec_get_finite(in);
		get_hist(in, &d->lat_us);
		d->waits_count = codec_get_varint(in);
		get_waits(in, &d->waits);
	}
	return !in->bad;
}

/* The per-sample notes of a query's stacks. */
static void get_stack_info(struct codec_in *in, struct sql_query *q)
{
	for (size_t i = 0; i < q->stacks.nsamples && !in->bad; i++) {
		struct sql_stack_info *si = &q->stack_info[i];
		char *rule;

		si->cls = get_class(in);
		si->kclass = get_class(in);
		si->dwarf = codec_get_flag(in);
		rule = codec_get_text(in);
		si->rule = rule[0] ? stack_store_name(q->stacks.store, rule) : NULL;
		free(rule);
	}
}

/* One query into q (q->text always set, so the model frees it); false when it is damaged. */
static bool read_query(struct codec_in *in, struct sql_model *m, struct sql_query *q, char *why,
		       size_t why_len)
{
	uint8_t flags;
	uint64_t ref;

	q->time = codec_get_finite(in);
	q->start = codec_get_finite(in);
	q->pid = codec_get_u32(in);
	q->tid = codec_get_u32(in);
	q->kind = get_kind(in);
	q->latency_us = codec_get_varint(in);
	q->text = codec_get_text(in);
	flags = codec_get_u8(in);
	if (flags & ~(SQL_CODEC_FLAG_TRUNCATED | SQL_CODEC_FLAG_PREPARED))
		in->bad = true;
	q->truncated = flags & SQL_CODEC_FLAG_TRUNCATED;
	q->prepared = flags & SQL_CODEC_FLAG_PREPARED;
	ref = codec_get_varint(in);
	if (ref > m->ndigests)
		in->bad = true;
	q->fingerprint = ref && !in->bad ? m->digests[ref - 1].fingerprint : NULL;
	q->server_pid = codec_get_u32(in);
	q->seq = codec_get_varint(in);
	codec_get_field(in, q->database, sizeof(q->database));
	codec_get_field(in, q->user, sizeof(q->user));
	get_waits(in, &q->waits);
	if (in->bad) {
		snprintf(why, why_len, "slow queries model: a bad query at byte %zu", in->pos);
		return false;
	}
	if (stack_set_decode(in, STACK_CODEC_FLAGS_SINCE, &q->stacks, why, why_len))
		return false;
	if (q->stacks.nsamples > SQL_QUERY_STACKS_MAX) {
		snprintf(why, why_len, "slow queries model: a query of %zu stacks at byte %zu",
			 q->stacks.nsamples, in->pos);
		return false;
	}
	get_stack_info(in, q);
	if (in->bad) {
		snprintf(why, why_len, "slow queries model: a bad stack note at byte %zu",
			 in->pos);
		return false;
	}
	return true;
}

/* The interval's queries; false with why when one is damaged. */
static bool read_queries(struct codec_in *in, struct sql_model *m, char *why, size_t why_len)
{
	size_t n = codec_get_count(in, SQL_QUERY_MIN_BYTES, 1u << 24);

	if (in->bad) {
		snprintf(why, why_len, "slow queries model: a bad query count at byte %zu",
			 in->pos);
		return false;
	}
	m->queries = n ? xcalloc(n, sizeof(*m->queries)) : NULL;
	for (size_t i = 0; i < n; i++) {
		m->nqueries++;
		if (!read_query(in, m, &m->queries[i], why, why_len))
			return false;
	}
	return true;
}

/* The figures before the lists; false when the cursor went bad. */
static bool read_head(struct codec_in *in, struct sql_model *m)
{
	m->threshold_ms = codec_get_varint(in);
	m->text_limit = codec_get_varint(in);
	m->list_max = codec_get_varint(in);
	m->seen = codec_get_varint(in);
	m->interval_from = codec_get_varint(in);
	m->unlisted = codec_get_varint(in);
	m->lost = codec_get_varint(in);
	m->waits_repaired = codec_get_varint(in);
	m->stacks_not_copied = codec_get_varint(in);
	m->polls = codec_get_varint(in);
	for (int i = 0; i < SQL_HISTORY_S; i++)
		m->per_second[i] = codec_get_varint(in);
	for (int k = 0; k < 2; k++)
		codec_get_field(in, m->rules_warning[k], sizeof(m->rules_warning[k]));
	if (m->interval_from > m->seen || m->list_max > SQL_CODEC_LIST_MAX)
		in->bad = true;
	return !in->bad;
}

int sql_model_decode(const void *data, size_t len, struct sql_model **out, char *why,
		     size_t why_len)
{
	struct sql_model *m = xcalloc(1, sizeof(*m));
	struct codec_in in;
	uint64_t version;

	*out = NULL;
	if (codec_in_begin(&in, data, len, SQL_CODEC_VERSION, "slow queries", &version, why,
			   why_len)) {
		sql_model_free(m);
		return -EPROTO;
	}
	if (in.bad || version == 0 || !read_head(&in, m)) {
		snprintf(why, why_len, "slow queries model: a bad header at byte %zu", in.pos);
		goto out_bad;
	}
	if (!read_servers(&in, m) || !read_digests(&in, m)) {
		snprintf(why, why_len, "slow queries model: a bad server or digest at byte %zu",
			 in.pos);
		goto out_bad;
	}
	if (!read_queries(&in, m, why, why_len))
		goto out_bad;
	if (codec_in_left(&in)) {
		snprintf(why, why_len, "slow queries model: %zu bytes left over at byte %zu",
			 codec_in_left(&in), in.pos);
		goto out_bad;
	}
	*out = m;
	return 0;
out_bad:
	sql_model_free(m);
	return -EBADMSG;
}
