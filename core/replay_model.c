// SPDX-License-Identifier: GPL-2.0
#include "core/replay_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio_sum.h"
#include "collectors/offcpu_model.h"
#include "collectors/sched_sum.h"
#include "collectors/stack_sum.h"
#include "collectors/stacks_model.h"
#include "core/model_section.h"
#include "core/replay_lists.h"
#include "util/xalloc.h"

struct replay_model {
	struct record_reader *r;
	char panel[32];
	bool stacks;          /* the Stacks panel's models, else the Off-CPU panel's */
	struct replay_lists *lists; /* a list panel's source (core/replay_lists.h), or NULL */
	bool sched;           /* the Overview's (struct sched_model) */
	bool bio;             /* the Block I/O panel's (struct bio_model) */
	void *shown;          /* what replay_model_get returned last */
	size_t shown_at;
	bool shown_cumulative;
	size_t shown_lo;
	uint64_t gen;        /* the polls count of the models handed out: new for each */
	struct stack_sum sum; /* intervals sum_lo..sum_hi added up */
	struct sched_sum sched_sum; /* the same for the Overview's */
	struct bio_span bio_sum;    /* and the Block I/O panel's */
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
	rm->stacks = !strcmp(panel, "stacks");
	rm->lists = replay_lists_new(r, panel);
	rm->sched = !strcmp(panel, "overview");
	rm->bio = !strcmp(panel, "bio");
	stack_sum_init(&rm->sum);
	return rm;
}

void replay_model_free(struct replay_model *rm)
{
	if (!rm)
		return;
	model_section_free(rm->panel, rm->shown);
	stack_sum_clear(&rm->sum);
	replay_lists_free(rm->lists);
	sched_sum_clear(&rm->sched_sum);
	bio_span_clear(&rm->bio_sum);
	free(rm);
}

/* The interval's stack set of a model and the time it covers. */
static const struct stack_set *interval_set(const struct replay_model *rm, const void *m,
					    double *s)
{
	const struct stacks_model *sm = m;
	const struct offcpu_model *om = m;

	*s = rm->stacks ? sm->interval_s : om->interval_s;
	return rm->stacks ? &sm->oncpu_interval : &om->interval;
}

/* Give a model the cumulative figures kept and a new polls count. */
static void set_cumulative(struct replay_model *rm, void *m, bool cumulative)
{
	struct stacks_model *sm = m;
	struct offcpu_model *om = m;

	if (rm->sched) {
		if (cumulative)
			sched_sum_apply(&rm->sched_sum, m);
		((struct sched_model *)m)->polls = ++rm->gen;
		return;
	}
	if (rm->bio) {
		struct bio_model *bm = m;

		/*
		 * the interval view's disks to choose from are the interval's; the cumulative
		 * view's interval is the range too, for the Overview's I/O columns, which read it
		 */
		bio_span_set(&bm->cumulative, cumulative ? &rm->bio_sum : &bm->interval);
		if (cumulative)
			bio_span_set(&bm->interval, &rm->bio_sum);
		bm->polls = ++rm->gen;
		return;
	}
	if (cumulative) {
		stack_set_copy(rm->stacks ? &sm->oncpu_cumulative : &om->cumulative, &rm->sum.set);
		if (rm->stacks)
			sm->cumulative_s = rm->sum_s;
		else
			om->cumulative_s = rm->sum_s;
	}
	if (rm->stacks)
		sm->polls = ++rm->gen;
	else
		om->polls = ++rm->gen;
}

/* The decoded model of interval i, or NULL with why. */
static void *load(struct replay_model *rm, size_t i, char *why, size_t why_len)
{
	return model_section_read(rm->r, i, rm->panel, why, why_len);
}

/* The sum over lo..hi: what is kept, added to when it starts at lo and ends before hi. */
static void sum_range(struct replay_model *rm, size_t lo, size_t hi)
{
	size_t next;

	if (!rm->sum_valid || rm->sum_lo != lo || rm->sum_hi > hi) {
		stack_sum_clear(&rm->sum);
		sched_sum_clear(&rm->sched_sum);
		bio_span_clear(&rm->bio_sum);
		rm->sum_s = 0;
		rm->sum_lo = lo;
		next = lo;
	} else {
		next = rm->sum_hi + 1;
	}
	for (size_t i = next; i <= hi; i++) {
		char why[64];
		void *m = load(rm, i, why, sizeof(why));
		double s;

		/* an interval without a model adds nothing: its time is not counted either */
		if (m && rm->sched) {
			sched_sum_add(&rm->sched_sum, m);
		} else if (m && rm->bio) {
			bio_span_add(&rm->bio_sum, &((struct bio_model *)m)->interval);
		} else if (m) {
			stack_sum_add(&rm->sum, interval_set(rm, m, &s));
			rm->sum_s += s;
		}
		model_section_free(rm->panel, m);
	}
	rm->sum_hi = hi;
	rm->sum_valid = true;
}

const void *replay_model_get(struct replay_model *rm, size_t i, bool cumulative, size_t from,
			     char *why, size_t why_len)
{
	size_t lo = from < i ? from : i, hi = from < i ? i : from;
	void *m;

	if (rm->shown && rm->shown_at == i && rm->shown_cumulative == cumulative &&
	    (!cumulative || rm->shown_lo == lo))
		return rm->shown;
	model_section_free(rm->panel, rm->shown);
	rm->shown = NULL;
	if (rm->lists) {
		/* put together over its range, the interval alone when not cumulative */
		m = replay_lists_range(rm->lists, cumulative ? lo : i, cumulative ? hi : i,
				       ++rm->gen, why, why_len);
	} else {
		m = load(rm, i, why, why_len);
		if (m && cumulative)
			sum_range(rm, lo, hi);
		if (m)
			set_cumulative(rm, m, cumulative);
	}
	if (!m)
		return NULL;
	rm->shown = m;
	rm->shown_at = i;
	rm->shown_cumulative = cumulative;
	rm->shown_lo = lo;
	return m;
}
