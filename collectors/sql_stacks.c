// SPDX-License-Identifier: GPL-2.0
/*
 * A slow query's blocked stacks through the stack collectors' aggregator: each kept pair is
 * one interval of its own (begin, add, end), so that it comes out as one sample whose class
 * the kernel gave; the samples are moved into the query, which shares the aggregator's store.
 */
#include "collectors/sql_stacks.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/types.h>

#include "collectors/collector.h"
#include "collectors/sql_model.h"
#include "collectors/sql_rules.h"
#include "collectors/stack_collect.h"
#include "collectors/ustack_reader.h"
#include "symbols/symbols.h"
#include "util/xalloc.h"
#include "bpf/sql.h"
#include "bpf/ustack.h"

#define SQL_STACKS_IDENTS_MAX 4096 /* identities the aggregator keeps between resets */

_Static_assert(SQL_QUERY_STACKS + 1 <= SQL_QUERY_STACKS_MAX, "sql_query holds every stack");
_Static_assert(SQL_STACK_NONE == STACK_COLLECT_NONE, "bpf/sql.h and stack_collect.h disagree");

struct sql_stack_namer {
	struct sym_cache *own_sc; /* when core lent none */
	struct stack_collect *st;
	struct ustack_reader *ur; /* DWARF mode: the copied user stacks, unwound */
	bool dwarf;
	struct stack_set one; /* the sample of one pair */
	struct stack_set cum; /* the aggregator's cumulative set: not used, kept empty */
};

int sql_stack_namer_new(struct sql_stack_namer **out, int map_fd, uint32_t max_entries,
			uint32_t depth, int ustack_fd, const struct ktop_config *cfg, char *why,
			size_t why_len)
{
	struct stack_collect_map map = { .fd = map_fd, .nids = 1, .depth = depth };
	struct stack_collect_scale us = { .mul = 1, .div = 1000 };
	struct sql_stack_namer *n = xcalloc(1, sizeof(*n));
	struct sym_cache *sc = cfg ? cfg->syms : NULL;
	int err;

	*out = NULL;
	if (!sc) {
		err = sym_cache_new(&n->own_sc, why, why_len);
		if (err) {
			free(n);
			return err;
		}
		sc = n->own_sc;
	}
	/* Stack ids are bucket numbers: below the map size rounded up to a power of two. */
	while (map.nids < max_entries && map.nids < (1u << 31))
		map.nids <<= 1;
	n->st = stack_collect_new(sc, &map, us, &n->one, &n->cum);
	stack_collect_set_max(n->st, SQL_STACKS_IDENTS_MAX);
	n->ur = ustack_reader_new(ustack_fd, NULL, sc, cfg && cfg->syms ? cfg->unwinder : NULL);
	*out = n;
	return 0;
}

void sql_stack_namer_free(struct sql_stack_namer *n)
{
	if (!n)
		return;
	ustack_reader_free(n->ur);
	stack_collect_free(n->st);
	stack_set_clear(&n->one);
	stack_set_clear(&n->cum);
	sym_cache_free(n->own_sc);
	free(n);
}

int sql_stack_namer_dwarf(struct sql_stack_namer *n, bool on, char *why, size_t why_len)
{
	int err = on ? ustack_reader_start(n->ur, why, why_len) : 0;

	n->dwarf = on && !err;
	return err;
}

void sql_stack_namer_consume(struct sql_stack_namer *n)
{
	if (!ustack_reader_started(n->ur))
		return;
	ustack_reader_consume(n->ur);
	/* Only the stacks kept for reuse are read: the interval's list is not. */
	ustack_reader_discard(n->ur);
}

void sql_stack_namer_exec(struct sql_stack_namer *n, uint32_t tgid)
{
	stack_collect_exec(n->st, tgid);
	ustack_reader_exec(n->ur, tgid);
}

/* Add a sample to q, keeping the samples heaviest first and what is known of them beside. */
static void sql_stacks_insert(struct sql_query *q, const struct stack_sample *s,
			      const struct sql_stack_info *info, bool stored)
{
	struct stack_set *set = &q->stacks;
	size_t i;

	if (set->nsamples >= SQL_QUERY_STACKS_MAX)
		return;
	if (stored)
		stack_set_add_stored(set, s);
	else
		stack_set_add(set, s);
	i = set->nsamples - 1;
	for (; i > 0 && set->samples[i - 1].value < set->samples[i].value; i--) {
		struct stack_sample t = set->samples[i - 1];
		struct sql_stack_info in = q->stack_info[i - 1];

		set->samples[i - 1] = set->samples[i];
		set->samples[i] = t;
		q->stack_info[i - 1] = q->stack_info[i];
		q->stack_info[i] = in;
	}
	q->stack_info[i] = *info;
}

/*
 * A rule on the stack's user frames names its blocked time again: ns of it (no more than its
 * class holds) move from the kernel's class to the rule's.
 */
static void sql_stacks_rule(struct sql_query *q, const struct sql_rules *rules,
			    const struct stack_sample *s, uint64_t ns, struct sql_stack_info *info)
{
	const struct sql_rule *r = rules ? sql_rules_match(rules, s, info->kclass) : NULL;
	char text[2 * SQL_RULE_PATTERN_LEN + 160];
	uint64_t *from;

	if (!r || info->kclass >= SCHED_NCLASSES)
		return;
	snprintf(text, sizeof(text), "%s: %s%s%s -> %s", r->where, r->frame,
		 r->under[0] ? " under " : "", r->under, sched_class_name(r->cls));
	info->rule = stack_store_name(q->stacks.store, text);
	info->cls = (uint8_t)r->cls;
	if (r->cls == info->kclass)
		return;
	from = &q->waits.ns[info->kclass];
	ns = ns < *from ? ns : *from;
	*from -= ns;
	q->waits.ns[r->cls] += ns;
}

void sql_stack_namer_name(struct sql_stack_namer *n, const struct sql_stacks *st,
			  const struct sql_rules *rules, struct sql_query *q)
{
	bool any = st->other_ns > 0;

	for (int i = 0; i < SQL_QUERY_STACKS; i++)
		any |= st->s[i].count > 0;
	if (!any)
		return;
	stack_collect_note(n->st, q->pid);
	for (int i = 0; i < SQL_QUERY_STACKS; i++) {
		const struct sql_stack *s = &st->s[i];
		struct stack_collect_key k = {
			.tgid = q->pid, .tid = q->tid, .kstack = s->kstack, .ustack = s->ustack
		};
		/* the reader's key of a stack counted by frame pointers: the id and a cause */
		struct stack_collect_key fb = k;
		const struct stack_collect_uframe *uf = NULL;
		uint32_t nuf = 0;
		struct sql_stack_info info;
		bool dwarf;

		if (!s->count)
			continue;
		fb.ustack = s->ustack >= 0 ? s->ustack | (USTACK_FB_MOVED << USTACK_FB_SHIFT) : -1;
		dwarf = n->dwarf && s->ustack >= 0 && ustack_reader_reuse(n->ur, &fb, &uf, &nuf);
		stack_collect_begin(n->st);
		if (dwarf)
			stack_collect_add_unwound(n->st, &k, uf, nuf, NULL, "", 0, s->ns, s->count,
						  false);
		else
			stack_collect_add(n->st, &k, "", 0, s->ns, s->count, false);
		stack_collect_end(n->st);
		if (!n->one.nsamples)
			continue;
		if (q->stacks.store != n->one.store)
			stack_set_reuse(&q->stacks, n->one.store);
		info = (struct sql_stack_info){ .cls = (uint8_t)s->cls,
						.kclass = (uint8_t)s->cls,
						.dwarf = dwarf };
		sql_stacks_rule(q, rules, &n->one.samples[0], s->ns, &info);
		sql_stacks_insert(q, &n->one.samples[0], &info, true);
	}
	if (st->other_ns) {
		struct stack_frame mark = { .name = "[other stacks]", .kind = STACK_FRAME_MARK };
		struct stack_sample o = {
			.pid = q->pid,
			.tid = q->tid,
			.comm = q->stacks.nsamples ? q->stacks.samples[0].comm : "",
			.pcomm = q->stacks.nsamples ? q->stacks.samples[0].pcomm : "",
			.frames = &mark,
			.nframes = 1,
			.value = (st->other_ns + 500) / 1000,
			.count = st->other_count,
		};
		struct sql_stack_info mixed = { .cls = SQL_STACK_CLASS_MIXED,
						.kclass = SQL_STACK_CLASS_MIXED };

		if (!q->stacks.store) {
			struct stack_store *own = stack_store_new();

			stack_set_reuse(&q->stacks, own);
			stack_store_unref(own);
		}
		sql_stacks_insert(q, &o, &mixed, false);
	}
}

void sql_stack_namer_reset(struct sql_stack_namer *n)
{
	stack_collect_reset(n->st);
}
