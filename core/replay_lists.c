// SPDX-License-Identifier: GPL-2.0
#include "core/replay_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sql_range.h"
#include "collectors/trace_range.h"
#include "core/model_section.h"

bool replay_lists_has(const char *panel)
{
	return !strcmp(panel, "sql") || !strcmp(panel, "trace");
}

/* The decoded model of panel at interval i, or NULL with why. */
static void *load(struct record_reader *r, const char *panel, size_t i, char *why,
		  size_t why_len)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	void *m = NULL;
	int rc;

	if (record_reader_load(r, i, &raw, &len, why, why_len))
		return NULL;
	rc = model_section_load(raw, len, panel, &m, why, why_len);
	free(raw);
	if (rc == 0)
		snprintf(why, why_len, "this interval holds no %s model (recorded by an older ktop)",
			 panel);
	return rc == 1 ? m : NULL;
}

/* The Slow queries of lo..hi into m, the model of hi. */
static void sql_range(struct record_reader *r, struct sql_model *m, size_t lo, size_t hi)
{
	struct sql_model own = { .queries = m->queries, .nqueries = m->nqueries };
	struct sql_model *before;
	char why[64];

	m->queries = NULL;
	m->nqueries = 0;
	for (size_t i = lo; i < hi; i++) {
		struct sql_model *e = load(r, "sql", i, why, sizeof(why));

		if (e)
			sql_range_take(m, e);
		sql_model_free(e);
	}
	sql_range_take(m, &own);
	before = lo ? load(r, "sql", lo - 1, why, sizeof(why)) : NULL;
	sql_range_digest_since(m, before);
	sql_model_free(before);
}

/* The Trace events and counts of lo..hi into m, the model of hi. */
static void trace_range(struct record_reader *r, struct trace_model *m, size_t lo, size_t hi)
{
	struct trace_model own = { .events = m->events, .nevents = m->nevents };
	char why[64];

	m->events = NULL;
	m->nevents = 0;
	for (size_t i = lo; i < hi; i++) {
		struct trace_model *e = load(r, "trace", i, why, sizeof(why));

		if (e)
			trace_range_take(m, e, true);
		trace_model_free(e);
	}
	trace_range_take(m, &own, false);
}

void *replay_lists_range(struct record_reader *r, const char *panel, size_t lo, size_t hi,
			 uint64_t polls, char *why, size_t why_len)
{
	void *m = load(r, panel, hi, why, why_len);

	if (!m)
		return NULL;
	if (!strcmp(panel, "sql")) {
		sql_range(r, m, lo, hi);
		((struct sql_model *)m)->polls = polls;
	} else {
		trace_range(r, m, lo, hi);
		((struct trace_model *)m)->polls = polls;
	}
	return m;
}
