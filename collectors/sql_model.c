// SPDX-License-Identifier: GPL-2.0
/* The Slow queries model: adding queries to the list and the digest, copies, clean-up. */
#include "collectors/sql_model.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/fingerprint.h"
#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

struct sql_model_index {
	struct htab digests; /* (fingerprint, kind) -> digest number (uint32_t) */
	int64_t second;	     /* the wall-clock second counted in per_second[SQL_HISTORY_S - 1] */
};

const char *sql_kind_name(enum sql_kind kind)
{
	switch (kind) {
	case SQL_KIND_MYSQL:
		return "mysql";
	case SQL_KIND_PG:
		return "pg";
	default:
		return "?";
	}
}

bool sql_waits_has(const struct sql_query_waits *w)
{
	for (int i = 0; i < SCHED_NCLASSES; i++)
		if (w->ns[i])
			return true;
	return false;
}

void sql_waits_summary(const struct sql_query_waits *w, char *buf, size_t len)
{
	uint64_t sum = 0;
	int first = -1, second = -1;
	int n;

	for (int i = 0; i < SCHED_NCLASSES; i++) {
		sum += w->ns[i];
		if (!w->ns[i])
			continue;
		if (first < 0 || w->ns[i] > w->ns[first]) {
			second = first;
			first = i;
		} else if (second < 0 || w->ns[i] > w->ns[second]) {
			second = i;
		}
	}
	if (first < 0) {
		snprintf(buf, len, "-");
		return;
	}
	n = snprintf(buf, len, "%s %.0f%%", sched_class_name(first),
		     100.0 * (double)w->ns[first] / (double)sum);
	/* a second class is named when it holds at least 1% */
	if (second >= 0 && w->ns[second] * 100 >= sum && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %s %.0f%%", sched_class_name(second),
			 100.0 * (double)w->ns[second] / (double)sum);
}

struct sql_model_index *sql_model_index_new(void)
{
	struct sql_model_index *ix = xcalloc(1, sizeof(*ix));

	htab_init(&ix->digests, sizeof(uint32_t), _Alignof(uint32_t));
	return ix;
}

void sql_model_index_free(struct sql_model_index *ix)
{
	if (!ix)
		return;
	htab_fini(&ix->digests);
	free(ix);
}

/* Whether digest d is the one of fingerprint fp from a server of this kind. */
static bool sql_digest_is(const struct sql_digest *d, const char *fp, enum sql_kind kind)
{
	return d->kind == kind && !strcmp(d->fingerprint, fp);
}

/* A digest to find: its fingerprint and kind, among the model's digests. */
struct sql_digest_key {
	const struct sql_model *m;
	const char *fp;
	enum sql_kind kind;
};

/* Whether an index entry (a digest number) is the key's digest. */
static bool sql_digest_eq(const void *entry, const void *key)
{
	const struct sql_digest_key *k = key;

	return sql_digest_is(&k->m->digests[*(const uint32_t *)entry], k->fp, k->kind);
}

/* The digest of (fp, kind), fp escaped, created when new; "[other]" once the table is full. */
static struct sql_digest *sql_digest_get(struct sql_model *m, struct sql_model_index *ix,
					 const char *fp, enum sql_kind kind)
{
	const struct sql_digest_key key = { m, fp, kind };
	uint64_t h = hash_str(fp) + (uint64_t)kind;
	const uint32_t *found = htab_find(&ix->digests, h, &key, sql_digest_eq);
	struct sql_digest *d;

	if (found)
		return &m->digests[*found];
	if (m->ndigests >= SQL_DIGESTS_MAX - 1 && strcmp(fp, SQL_OTHER_FINGERPRINT))
		return sql_digest_get(m, ix, SQL_OTHER_FINGERPRINT, kind);
	m->digests = xreallocarray(m->digests, m->ndigests + 1, sizeof(*m->digests));
	d = &m->digests[m->ndigests];
	memset(d, 0, sizeof(*d));
	d->fingerprint = xstrdup(fp);
	d->kind = kind;
	*(uint32_t *)htab_add(&ix->digests, h) = (uint32_t)m->ndigests++;
	return d;
}

/* Shift per_second so that its last slot counts the second sec. */
static void sql_seconds_move(struct sql_model *m, struct sql_model_index *ix, int64_t sec)
{
	int64_t shift = sec - ix->second;

	if (shift <= 0)
		return;
	if (!ix->second || shift >= SQL_HISTORY_S) {
		memset(m->per_second, 0, sizeof(m->per_second));
	} else {
		memmove(m->per_second, m->per_second + shift,
			(size_t)(SQL_HISTORY_S - shift) * sizeof(m->per_second[0]));
		memset(m->per_second + SQL_HISTORY_S - shift, 0,
		       (size_t)shift * sizeof(m->per_second[0]));
	}
	ix->second = sec;
}

void sql_model_advance(struct sql_model *m, struct sql_model_index *ix, double now)
{
	sql_seconds_move(m, ix, (int64_t)floor(now));
}

/* How many queries the list keeps. */
static size_t sql_list_max(const struct sql_model *m)
{
	return m->list_max ? m->list_max : SQL_QUERIES_MAX;
}

/* The text and fingerprint of a query as shown: escaped, from raw bytes that may hold anything. */
static void sql_query_texts(const char *raw, size_t len, char **text, char **fp)
{
	size_t cap = len * 4 + 8;
	char *buf = xmalloc(cap);
	char *src;
	char *out;

	escape_text(buf, cap, raw, len);
	*text = xstrdup(buf);
	/* The fingerprint is computed from the server's own text, then escaped in its turn. */
	src = xmalloc(len + 1);
	memcpy(src, raw, len);
	src[len] = '\0';
	out = xmalloc(len + 64);
	/* A prepared statement's text groups like any; ktop's "[prepared ... id 7]" as id ? */
	fingerprint_sql(src, out, len + 64);
	escape_cstr(buf, cap, out, len + 64);
	*fp = xstrdup(buf[0] ? buf : "[empty]");
	free(out);
	free(src);
	free(buf);
}

void sql_model_add(struct sql_model *m, struct sql_model_index *ix, const struct sql_query *q,
		   const char *raw, size_t len)
{
	struct sql_query *dst;
	struct sql_digest *d;
	char *text;
	char *fp;
	int64_t sec;

	if (m->nqueries >= 2 * sql_list_max(m))
		sql_model_trim(m);
	sql_query_texts(raw ? raw : "", raw ? len : 0, &text, &fp);
	d = sql_digest_get(m, ix, fp, q->kind);
	free(fp);
	d->count++;
	d->total_us += q->latency_us;
	if (q->latency_us > d->max_us)
		d->max_us = q->latency_us;
	if (q->time > d->last_seen)
		d->last_seen = q->time;
	hist_record(&d->lat_us, q->latency_us);
	if (sql_waits_has(&q->waits)) {
		d->waits_count++;
		for (int i = 0; i < SCHED_NCLASSES; i++)
			d->waits.ns[i] += q->waits.ns[i];
		d->waits.switches += q->waits.switches;
		d->waits.io_count += q->waits.io_count;
		d->waits.io_bytes += q->waits.io_bytes;
	}

	m->queries = xreallocarray(m->queries, m->nqueries + 1, sizeof(*m->queries));
	dst = &m->queries[m->nqueries++];
	*dst = *q;
	dst->text = text;
	dst->fingerprint = d->fingerprint;
	dst->stacks = q->stacks; /* moved: the caller's set is not used again */
	/* kept until it leaves the list: a set's first array holds 16 samples, a query 1 to 6 */
	stack_set_fit(&dst->stacks);
	dst->seq = ++m->seen;

	sec = (int64_t)floor(q->time);
	sql_seconds_move(m, ix, sec);
	if (sec <= ix->second && ix->second - sec < SQL_HISTORY_S)
		m->per_second[SQL_HISTORY_S - 1 - (ix->second - sec)]++;
}

void sql_model_trim(struct sql_model *m)
{
	size_t max = sql_list_max(m);
	size_t drop;

	if (m->nqueries <= max)
		return;
	drop = m->nqueries - max;
	for (size_t i = 0; i < drop; i++) {
		free(m->queries[i].text);
		stack_set_clear(&m->queries[i].stacks);
	}
	memmove(m->queries, m->queries + drop, max * sizeof(*m->queries));
	m->nqueries = max;
	m->unlisted += drop;
}

size_t sql_model_interval_start(const struct sql_model *m)
{
	size_t i = m->nqueries;

	/* Oldest first, so the interval's queries are the tail. */
	while (i > 0 && m->queries[i - 1].seq > m->interval_from)
		i--;
	return i;
}

/* Free the queries and digests of m, leaving it empty. */
static void sql_model_drop_lists(struct sql_model *m)
{
	for (size_t i = 0; i < m->nqueries; i++) {
		free(m->queries[i].text);
		stack_set_clear(&m->queries[i].stacks);
	}
	free(m->queries);
	m->queries = NULL;
	m->nqueries = 0;
	for (size_t i = 0; i < m->ndigests; i++)
		free(m->digests[i].fingerprint);
	free(m->digests);
	m->digests = NULL;
	m->ndigests = 0;
}

void sql_model_reset(struct sql_model *m, struct sql_model_index *ix)
{
	/* The queries go too: each points at its digest's fingerprint. */
	sql_model_drop_lists(m);
	memset(m->per_second, 0, sizeof(m->per_second));
	m->seen = 0;
	m->interval_from = 0;
	m->unlisted = 0;
	m->lost = 0;
	m->waits_repaired = 0;
	m->stacks_not_copied = 0;
	if (ix)
		htab_clear(&ix->digests);
}

void sql_model_clear(struct sql_model *m)
{
	if (!m)
		return;
	sql_model_drop_lists(m);
	free(m->servers);
	memset(m, 0, sizeof(*m));
}

/* A fingerprint pointer and the number of its digest, to remap queries in a copy. */
struct sql_fp_ref {
	const char *fp;
	size_t digest;
};

/* Order references by pointer. */
static int sql_fp_ref_cmp(const void *a, const void *b)
{
	const struct sql_fp_ref *x = a;
	const struct sql_fp_ref *y = b;

	return x->fp < y->fp ? -1 : x->fp > y->fp;
}

struct sql_model *sql_model_dup(const struct sql_model *m)
{
	struct sql_fp_ref *refs = NULL;
	struct sql_model *c;

	if (!m)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *m;
	c->servers = NULL;
	c->queries = NULL;
	c->digests = NULL;
	if (m->nservers) {
		c->servers = xreallocarray(NULL, m->nservers, sizeof(*c->servers));
		memcpy(c->servers, m->servers, m->nservers * sizeof(*c->servers));
	}
	if (m->ndigests) {
		c->digests = xreallocarray(NULL, m->ndigests, sizeof(*c->digests));
		refs = xreallocarray(NULL, m->ndigests, sizeof(*refs));
		for (size_t i = 0; i < m->ndigests; i++) {
			c->digests[i] = m->digests[i];
			c->digests[i].fingerprint = xstrdup(m->digests[i].fingerprint);
			refs[i].fp = m->digests[i].fingerprint;
			refs[i].digest = i;
		}
		qsort(refs, m->ndigests, sizeof(*refs), sql_fp_ref_cmp);
	}
	if (m->nqueries) {
		c->queries = xreallocarray(NULL, m->nqueries, sizeof(*c->queries));
		for (size_t i = 0; i < m->nqueries; i++) {
			struct sql_fp_ref key = { .fp = m->queries[i].fingerprint };
			const struct sql_fp_ref *r = NULL;

			c->queries[i] = m->queries[i];
			c->queries[i].text = xstrdup(m->queries[i].text ? m->queries[i].text : "");
			stack_set_copy(&c->queries[i].stacks, &m->queries[i].stacks);
			if (refs)
				r = bsearch(&key, refs, m->ndigests, sizeof(*refs), sql_fp_ref_cmp);
			c->queries[i].fingerprint = r ? c->digests[r->digest].fingerprint : NULL;
		}
	}
	free(refs);
	return c;
}

void sql_model_free(struct sql_model *m)
{
	sql_model_clear(m);
	free(m);
}
