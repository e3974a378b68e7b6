// SPDX-License-Identifier: GPL-2.0
/*
 * The stack aggregator's exited processes (part of collectors/stack_collect.c). A thread's
 * identity holds its pid and tid, so fork/exec churn would add identities (and tree nodes) for
 * every process it starts, until the bound merged them into "[older stacks]". Once a process
 * has exited and its last blocks are drained, its identities are folded into one per process
 * name, thread name and frames, without a task: their time stays under the names, and memory
 * follows what runs, not how many processes ran.
 */
#include <stdlib.h>
#include <string.h>

#include "collectors/stack_collect_priv.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define COLLECT_UNHELD_MIN 4096 /* identities dropped before the store may be renewed */

static bool tgid_eq(const void *entry, const void *key)
{
	return *(const uint32_t *)entry == *(const uint32_t *)key;
}

/* Whether tgid was noted as exited in this interval or the last. */
static bool exited_has(const struct stack_collect *st, uint32_t tgid)
{
	uint64_t h = hash_mix64(tgid);

	return tgid && (htab_find(&st->exited, h, &tgid, tgid_eq) ||
			htab_find(&st->exited_last, h, &tgid, tgid_eq));
}

/*
 * The folded identity of sample s's names and frames: found, or made now. Its frames have no
 * address: each process had its own (address space layout randomization), none is theirs.
 */
static uint32_t exited_target(struct stack_collect *st, const struct stack_sample *from)
{
	struct stack_sample s = *from;
	struct stack_frame *f = st->fr.buf;
	uint32_t found;
	uint64_t fh, h;

	for (uint32_t i = 0; i < s.nframes; i++) {
		f[i] = from->frames[i];
		f[i].addr = 0;
	}
	s.frames = f;
	s.pid = 0;
	s.tid = 0;
	s.exited = true;
	s.value = 0;
	s.count = 0;
	fh = collect_frames_hash(s.frames, s.nframes);
	h = collect_ident_hash(fh, &s);
	found = collect_ident_find(st, &s, h);
	return found != UINT32_MAX ? found : collect_ident_add(st, &s, h, fh);
}

/* Move identity i's figures into identity t. */
static void exited_move(struct stack_collect *st, uint32_t i, uint32_t t)
{
	struct collect_ident *from = &st->idents[i];

	if (from->touched)
		collect_sum(st, t, from->int_amount, from->int_count, false);
	from = &st->idents[i];
	if (from->cum_amount || from->cum_count || from->in_cum) {
		st->idents[t].cum_amount += from->cum_amount;
		st->idents[t].cum_count += from->cum_count;
		st->idents[t].cum_touched = true;
	}
}

/* Drop the identities gone[i] and renumber the rest, their keys, lookups and cumulative set. */
static void exited_compact(struct stack_collect *st, const bool *gone, size_t ngone)
{
	struct stack_set *cum = st->cumulative;
	uint32_t *remap = xcalloc(st->nidents + 1, sizeof(*remap));
	size_t j = 0, k = 0;

	htab_clear(&st->ids);
	stack_set_reuse(cum, st->in.store);
	for (size_t i = 0; i < st->nidents; i++) {
		struct collect_ident *id = &st->idents[i];

		if (i < ngone && gone[i]) {
			remap[i] = UINT32_MAX;
			continue;
		}
		if (id->in_cum || id->cum_touched) {
			struct stack_sample s = id->s;

			s.value = collect_value(st, id->cum_amount);
			s.count = id->cum_count;
			stack_set_add_stored(cum, &s);
			id->cum_idx = cum->nsamples - 1;
			id->in_cum = true;
		}
		*(uint32_t *)htab_add(&st->ids, id->hash) = (uint32_t)j;
		remap[i] = (uint32_t)j;
		st->idents[j++] = *id;
	}
	st->nidents = j;
	collect_keys_remap(st, remap);
	for (size_t i = 0; i < st->ntouched; i++)
		if (remap[st->touched[i]] != UINT32_MAX)
			st->touched[k++] = remap[st->touched[i]];
	st->ntouched = k;
	if (st->older >= 0)
		st->older = remap[st->older];
	free(remap);
}

/*
 * Forget the names and image generations of the processes of the last interval's notes. The
 * symbolizer keeps their maps in its own bounded cache: the files they map stay parsed for
 * the next process that maps them (a command started in a loop, its libraries).
 */
static void exited_turn(struct stack_collect *st)
{
	struct htab last = st->exited_last;
	const uint32_t *tgid;
	size_t pos = 0;

	while ((tgid = htab_next(&last, &pos)))
		collect_procs_forget(&st->procs, *tgid);
	htab_clear(&last);
	st->exited_last = st->exited;
	st->exited = last;
}

void collect_fold_exited(struct stack_collect *st)
{
	size_t n = st->nidents, nfold = 0;
	bool *gone;

	if (!htab_len(&st->exited) && !htab_len(&st->exited_last))
		return;
	gone = xcalloc(n + 1, sizeof(*gone));
	for (size_t i = 0; i < n; i++) {
		if ((int64_t)i == st->older || !exited_has(st, st->idents[i].s.pid))
			continue;
		exited_move(st, (uint32_t)i, exited_target(st, &st->idents[i].s));
		gone[i] = true;
		nfold++;
	}
	if (nfold)
		exited_compact(st, gone, n);
	st->folded += nfold;
	st->unheld += nfold;
	free(gone);
	exited_turn(st);
	/* The folded ones' own frames (their addresses) stay in the store: renew it now and then. */
	if (st->unheld > st->nidents + COLLECT_UNHELD_MIN)
		collect_restore(st);
}
