// SPDX-License-Identifier: GPL-2.0
#include "core/replay_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/offcpu_model.h"
#include "collectors/stack_sum.h"
#include "core/model_section.h"
#include "util/xalloc.h"

struct replay_model {
	struct record_reader *r;
	char panel[32];
	struct offcpu_model *shown; /* what replay_model_get returned last */
	size_t shown_at;
	bool shown_cumulative;
	size_t shown_lo;
	uint64_t gen;        /* the polls count of the models handed out: new for each */
	struct stack_sum sum; /* intervals sum_lo..sum_hi added up */
	size_t sum_lo;
	size_t sum_hi;
	bool sum_valid;
	double sum_s;         /* the time they cover */
};

struct replay_model *replay_model_new(struct record_reader *r, const char *panel)
{
	struct replay_model *rm;

	if (!model_section_has_codec(panel))
		return NULL;
	rm = xcalloc(1, sizeof(*rm));
	rm->r = r;
	snprintf(rm->panel, sizeof(rm->panel), "%s", panel);
	stack_sum_init(&rm->sum);
	return rm;
}

void replay_model_free(struct replay_model *rm)
{
	if (!rm)
		return;
	offcpu_model_free(rm->shown);
	stack_sum_clear(&rm->sum);
	free(rm);
}

/* The decoded model of interval i, or NULL with why. */
static struct offcpu_model *load(struct replay_model *rm, size_t i, char *why, size_t why_len)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	void *m = NULL;
	int rc;

	if (record_reader_load(rm->r, i, &raw, &len, why, why_len))
		return NULL;
	rc = model_section_load(raw, len, rm->panel, &m, why, why_len);
	free(raw);
	if (rc == 0)
		snprintf(why, why_len,
			 "this interval holds no %s model (recorded by an older ktop)", rm->panel);
	return rc == 1 ? m : NULL;
}

/* The sum over lo..hi: what is kept, added to when it starts at lo and ends before hi. */
static void sum_range(struct replay_model *rm, size_t lo, size_t hi)
{
	size_t next;

	if (!rm->sum_valid || rm->sum_lo != lo || rm->sum_hi > hi) {
		stack_sum_clear(&rm->sum);
		rm->sum_s = 0;
		rm->sum_lo = lo;
		next = lo;
	} else {
		next = rm->sum_hi + 1;
	}
	for (size_t i = next; i <= hi; i++) {
		char why[64];
		struct offcpu_model *m = load(rm, i, why, sizeof(why));

		/* an interval without a model adds nothing: its time is not counted either */
		if (m) {
			stack_sum_add(&rm->sum, &m->interval);
			rm->sum_s += m->interval_s;
		}
		offcpu_model_free(m);
	}
	rm->sum_hi = hi;
	rm->sum_valid = true;
}

const void *replay_model_get(struct replay_model *rm, size_t i, bool cumulative, size_t from,
			     char *why, size_t why_len)
{
	size_t lo = from < i ? from : i, hi = from < i ? i : from;
	struct offcpu_model *m;

	if (rm->shown && rm->shown_at == i && rm->shown_cumulative == cumulative &&
	    (!cumulative || rm->shown_lo == lo))
		return rm->shown;
	offcpu_model_free(rm->shown);
	rm->shown = NULL;
	m = load(rm, i, why, why_len);
	if (!m)
		return NULL;
	if (cumulative) {
		sum_range(rm, lo, hi);
		stack_set_copy(&m->cumulative, &rm->sum.set);
		m->cumulative_s = rm->sum_s;
	}
	m->polls = ++rm->gen;
	rm->shown = m;
	rm->shown_at = i;
	rm->shown_cumulative = cumulative;
	rm->shown_lo = lo;
	return m;
}
