// SPDX-License-Identifier: GPL-2.0
#include "core/replay_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sql_range.h"
#include "collectors/trace_range.h"
#include "core/model_section.h"
#include "util/xalloc.h"

struct replay_lists {
	struct record_reader *r;
	const char *panel; /* "sql" or "trace" */
	bool sql;
	void *kept;	   /* a copy of the model of the range last given, or NULL */
	size_t kept_lo;
	size_t kept_hi;
};

bool replay_lists_has(const char *panel)
{
	return !strcmp(panel, "sql") || !strcmp(panel, "trace");
}

struct replay_lists *replay_lists_new(struct record_reader *r, const char *panel)
{
	struct replay_lists *rl;

	if (!replay_lists_has(panel))
		return NULL;
	rl = xcalloc(1, sizeof(*rl));
	rl->r = r;
	rl->sql = !strcmp(panel, "sql");
	rl->panel = rl->sql ? "sql" : "trace";
	return rl;
}

void replay_lists_free(struct replay_lists *rl)
{
	if (!rl)
		return;
	model_section_free(rl->panel, rl->kept);
	free(rl);
}

/* The decoded model of interval i, or NULL with why. */
static void *load(struct replay_lists *rl, size_t i, char *why, size_t why_len)
{
	return model_section_read(rl->r, i, rl->panel, why, why_len);
}

/*
 * The Slow queries of lo..hi into m, the model of hi; kept: those of lo..hi-1, or NULL. The
 * range begins where its first interval with a model began (interval_from), so the queries
 * counted as the range's are all of them from interval lo on, when there is none before it.
 */
static void sql_range(struct replay_lists *rl, struct sql_model *m, size_t lo, size_t hi,
		      const struct sql_model *kept)
{
	struct sql_model own = { .queries = m->queries, .nqueries = m->nqueries };
	uint64_t from = kept ? kept->interval_from : m->interval_from;
	bool from_found = kept;
	struct sql_model *before, *e;
	char why[64];

	m->queries = NULL;
	m->nqueries = 0;
	if (kept) {
		e = sql_model_dup(kept);
		sql_range_take(m, e);
		sql_model_free(e);
	}
	for (size_t i = lo; !kept && i < hi; i++) {
		e = load(rl, i, why, sizeof(why));
		if (e && !from_found) {
			from = e->interval_from;
			from_found = true;
		}
		if (e)
			sql_range_take(m, e);
		sql_model_free(e);
	}
	sql_range_take(m, &own);
	/* a reset in the range numbers its queries again from 1 */
	m->interval_from = from <= m->seen ? from : 0;
	before = lo ? load(rl, lo - 1, why, sizeof(why)) : NULL;
	sql_range_digest_since(m, before);
	sql_model_free(before);
}

/* The Trace events and counts of lo..hi into m, the model of hi; kept: lo..hi-1's, or NULL. */
static void trace_range(struct replay_lists *rl, struct trace_model *m, size_t lo, size_t hi,
			const struct trace_model *kept)
{
	struct trace_model own = { .events = m->events, .nevents = m->nevents };
	struct trace_model *e;
	char why[64];

	m->events = NULL;
	m->nevents = 0;
	if (kept) {
		e = trace_model_dup(kept);
		trace_range_take(m, e, true);
		trace_model_free(e);
	}
	for (size_t i = lo; !kept && i < hi; i++) {
		e = load(rl, i, why, sizeof(why));
		if (e)
			trace_range_take(m, e, true);
		trace_model_free(e);
	}
	trace_range_take(m, &own, false);
}

void *replay_lists_range(struct replay_lists *rl, size_t lo, size_t hi, uint64_t polls,
			 char *why, size_t why_len)
{
	void *m = load(rl, hi, why, why_len);
	const void *kept = NULL;

	if (!m)
		return NULL;
	/* one interval on from the range kept: that range and this interval */
	if (rl->kept && lo < hi && rl->kept_lo == lo && rl->kept_hi + 1 == hi)
		kept = rl->kept;
	if (rl->sql) {
		sql_range(rl, m, lo, hi, kept);
		((struct sql_model *)m)->polls = polls;
	} else {
		trace_range(rl, m, lo, hi, kept);
		((struct trace_model *)m)->polls = polls;
	}
	model_section_free(rl->panel, rl->kept);
	rl->kept = rl->sql ? (void *)sql_model_dup(m) : (void *)trace_model_dup(m);
	rl->kept_lo = lo;
	rl->kept_hi = hi;
	return m;
}
