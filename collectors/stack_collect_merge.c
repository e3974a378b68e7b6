// SPDX-License-Identifier: GPL-2.0
/*
 * The bound on the stack aggregator's identities (--max-stacks). An interval that ends over
 * it merges the smallest identities it did not touch into one "older stacks" identity, which
 * keeps their time, and moves the rest into a new store: memory follows the bound, not the
 * run's length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/stack_collect_priv.h"
#include "util/xalloc.h"

/* Order identity indexes by cumulative amount, then count, smallest first. */
static int merge_smaller(const void *a, const void *b, void *arg)
{
	const struct collect_ident *x = &((const struct collect_ident *)arg)[*(const uint32_t *)a];
	const struct collect_ident *y = &((const struct collect_ident *)arg)[*(const uint32_t *)b];

	if (x->cum_amount != y->cum_amount)
		return x->cum_amount < y->cum_amount ? -1 : 1;
	if (x->cum_count != y->cum_count)
		return x->cum_count < y->cum_count ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/*
 * Mark the identities to merge: those this interval did not touch (nor the older stacks'
 * own), smallest first, down to three quarters of the bound. remap[i] is 1 for each; the
 * number marked.
 */
static size_t merge_pick(struct stack_collect *st, uint32_t *remap)
{
	size_t keep = st->max_idents - st->max_idents / 4;
	uint32_t *order = xcalloc(st->nidents, sizeof(*order));
	size_t n = 0, want;

	for (size_t i = 0; i < st->nidents; i++)
		if (!st->idents[i].touched && (int64_t)i != st->older)
			order[n++] = (uint32_t)i;
	want = st->nidents > keep ? st->nidents - keep : 0;
	if (want > n)
		want = n;
	qsort_r(order, n, sizeof(*order), merge_smaller, st->idents);
	for (size_t i = 0; i < want; i++)
		remap[order[i]] = 1;
	free(order);
	return want;
}

/* The older stacks' identity, made on first use: no thread, one mark frame. */
static struct collect_ident *merge_older(struct stack_collect *st)
{
	struct stack_sample s = { .comm = "[older stacks]", .pcomm = "[older stacks]" };
	uint64_t fh;

	if (st->older < 0) {
		st->fr.buf[0] =
			(struct stack_frame){ .name = "[older stacks]", .kind = STACK_FRAME_MARK };
		s.frames = st->fr.buf;
		s.nframes = 1;
		fh = collect_frames_hash(st->fr.buf, 1);
		st->older = collect_ident_add(st, &s, collect_ident_hash(fh, &s), fh);
		st->idents[st->older].in_cum = false;
	}
	return &st->idents[st->older];
}

/*
 * Move a kept identity's names and frames into the store now in st->in (whose tables are
 * empty), as identity j, and back into the cumulative set when it was there; older names its
 * mark with how many stacks it holds.
 */
static void merge_move(struct stack_collect *st, struct collect_ident *id, uint32_t j,
		       const char *older)
{
	struct stack_sample *s = &id->s;
	struct stack_store *store = st->in.store;
	struct stack_frame *f = st->fr.buf;
	uint64_t fh;

	s->comm = stack_store_name(store, s->comm);
	s->pcomm = stack_store_name(store, s->pcomm);
	for (uint32_t k = 0; k < s->nframes; k++) {
		f[k] = s->frames[k];
		f[k].name = stack_store_name(store, older ? older : s->frames[k].name);
		if (s->frames[k].src)
			f[k].src = stack_store_name(store, s->frames[k].src);
	}
	fh = collect_frames_hash(f, s->nframes);
	if (s->nframes)
		s->frames = collect_intern_frames(&st->in, f, s->nframes, fh);
	id->hash = collect_ident_hash(fh, s);
	*(uint32_t *)htab_add(&st->ids, id->hash) = j;
	if (id->in_cum) {
		struct stack_sample c = *s;

		c.value = collect_value(st, id->cum_amount);
		c.count = id->cum_count;
		stack_set_add_stored(st->cumulative, &c);
		id->cum_idx = st->cumulative->nsamples - 1;
	}
}

/* Start a new store for the identities to move into; the old one, to drop once they have. */
static struct stack_store *merge_restart(struct stack_collect *st)
{
	struct stack_store *old = collect_intern_restart(&st->in);

	collect_frames_forget_user(&st->fr);
	htab_clear(&st->ids);
	stack_set_reuse(st->cumulative, st->in.store);
	return old;
}

void collect_keys_remap(struct stack_collect *st, const uint32_t *remap)
{
	struct htab old = st->keys;
	const struct collect_keyslot *e;
	size_t pos = 0;

	htab_init(&st->keys, sizeof(struct collect_keyslot), _Alignof(struct collect_keyslot));
	while ((e = htab_next(&old, &pos))) {
		struct collect_keyslot *slot;

		if (remap[e->id] == UINT32_MAX)
			continue;
		slot = htab_add(&st->keys, collect_key_hash(&e->key));
		*slot = (struct collect_keyslot){ .key = e->key, .id = remap[e->id] };
	}
	htab_fini(&old);
}

/*
 * Over the bound: merge the smallest untouched identities into the older stacks' one, and
 * move the kept ones into a new store (the old one goes with the last snapshot using it).
 * The cumulative set is rebuilt; the interval set is written next by stack_collect_end.
 */
void collect_merge(struct stack_collect *st)
{
	uint32_t *remap = xcalloc(st->nidents + 1, sizeof(*remap));
	struct stack_store *old_store;
	struct collect_ident *older;
	char mark[96];
	size_t n, j = 0;

	n = merge_pick(st, remap);
	if (!n) {
		free(remap);
		return;
	}
	older = merge_older(st);
	for (size_t i = 0; i < st->nidents; i++) {
		if (!remap[i])
			continue;
		older->cum_amount += st->idents[i].cum_amount;
		older->cum_count += st->idents[i].cum_count;
	}
	older->in_cum = true;
	st->merged += n;
	snprintf(mark, sizeof(mark), "[%llu older stacks merged]", (unsigned long long)st->merged);

	old_store = merge_restart(st);
	for (size_t i = 0; i < st->nidents; i++) {
		struct collect_ident *id = &st->idents[i];

		if (remap[i]) {
			remap[i] = UINT32_MAX;
			continue;
		}
		merge_move(st, id, (uint32_t)j, (int64_t)i == st->older ? mark : NULL);
		remap[i] = (uint32_t)j;
		st->idents[j++] = *id;
	}
	st->older = remap[st->older];
	st->nidents = j;
	st->unheld = 0;
	collect_keys_remap(st, remap);
	for (size_t i = 0; i < st->ntouched; i++)
		st->touched[i] = remap[st->touched[i]];
	stack_store_unref(old_store);
	free(remap);
}

/*
 * Move every identity into a new store, as they are: the old one goes with the last snapshot
 * using it, and with it the names and frames no identity holds any more (those of exited
 * processes folded). The cumulative set is rebuilt; kernel keys keep their identities.
 */
void collect_restore(struct stack_collect *st)
{
	struct stack_store *old_store = merge_restart(st);

	for (size_t i = 0; i < st->nidents; i++)
		merge_move(st, &st->idents[i], (uint32_t)i, NULL);
	st->unheld = 0;
	stack_store_unref(old_store);
}
