// SPDX-License-Identifier: GPL-2.0
/*
 * Drained stack-map records to samples. Each distinct (thread, frames) is an identity, found
 * from its kernel key (tgid, tid, stack ids) or, for a new key, by symbolizing and hashing its
 * frames; identities sum the collector's amount for the interval and overall, and become
 * samples at the end of each poll. Identities live until a reset, so the cumulative set grows
 * with new stacks, not with polls.
 *
 * An identity's names and frames are interned once in the aggregator's store, which the
 * interval and cumulative sets (and every snapshot of them) share: frames built for a key are
 * interned (collectors/stack_collect_intern.c) before they are hashed or compared, so that
 * equal names are one pointer. A reset starts a new store; snapshots keep the old one alive
 * while they need it. Frames are built by collectors/stack_collect_frames.c, processes known
 * by collectors/stack_collect_procs.c, and the bound on identities kept by
 * collectors/stack_collect_merge.c.
 */
#include "collectors/stack_collect.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/stack_collect_priv.h"
#include "util/escape.h"
#include "util/hash.h"
#include "util/xalloc.h"

/* What an identity table search compares: a sample, against the identities it indexes. */
struct collect_ident_key {
	const struct collect_ident *idents;
	const struct stack_sample *s;
};

_Static_assert(sizeof(struct stack_collect_key) == 16, "stack_collect_key has padding");

uint64_t collect_key_hash(const struct stack_collect_key *k)
{
	uint64_t a = (uint64_t)k->tgid << 32 | k->tid;
	uint64_t b = (uint64_t)(uint32_t)k->kstack << 32 | (uint32_t)k->ustack;

	return hash_mix64(a ^ hash_mix64(b));
}

uint64_t collect_ident_hash(uint64_t frames_hash, const struct stack_sample *s)
{
	uint64_t h = hash_mix64(frames_hash ^ hash_mix64((uint64_t)s->pid << 32 | s->tid));

	/* Exited processes folded: no task, so their (interned) names tell them apart. */
	if (s->exited)
		h = hash_mix64(h ^ hash_mix64((uintptr_t)s->comm) ^ (uintptr_t)s->pcomm);
	return h;
}

static bool collect_key_eq(const void *entry, const void *key)
{
	return !memcmp(&((const struct collect_keyslot *)entry)->key, key,
		       sizeof(struct stack_collect_key));
}

/* Whether two samples are the same thread in the same frames (names interned: pointers). */
static bool collect_ident_is_same(const struct stack_sample *a, const struct stack_sample *b)
{
	if (a->pid != b->pid || a->tid != b->tid || a->nframes != b->nframes ||
	    a->exited != b->exited)
		return false;
	if (a->exited && (a->comm != b->comm || a->pcomm != b->pcomm))
		return false;
	for (uint32_t i = 0; i < a->nframes; i++) {
		const struct stack_frame *x = &a->frames[i];
		const struct stack_frame *y = &b->frames[i];

		if (x->kind != y->kind || x->name != y->name || x->src != y->src ||
		    x->addr != y->addr)
			return false;
	}
	return true;
}

static bool collect_ident_eq(const void *entry, const void *key)
{
	const struct collect_ident_key *q = key;

	return collect_ident_is_same(&q->idents[*(const uint32_t *)entry].s, q->s);
}

uint32_t collect_ident_find(const struct stack_collect *st, const struct stack_sample *s,
			    uint64_t h)
{
	const struct collect_ident_key q = { st->idents, s };
	const uint32_t *found = htab_find(&st->ids, h, &q, collect_ident_eq);

	return found ? *found : UINT32_MAX;
}

/* Double an array's capacity (from 0: 64), for an append to it. */
static size_t collect_grown(size_t cap)
{
	return cap ? cap * 2 : 64;
}

/* A new identity for sample s (as collect_ident_add), not in the identity table yet; its index. */
static uint32_t collect_ident_make(struct stack_collect *st, const struct stack_sample *s,
				   uint64_t h, uint64_t frames_hash)
{
	struct collect_ident *id;

	if (st->nidents == st->idents_cap) {
		st->idents_cap = collect_grown(st->idents_cap);
		st->idents = xreallocarray(st->idents, st->idents_cap, sizeof(*st->idents));
	}
	id = &st->idents[st->nidents];
	memset(id, 0, sizeof(*id));
	id->s = *s;
	if (s->nframes)
		id->s.frames = collect_intern_frames(&st->in, s->frames, s->nframes, frames_hash);
	id->hash = h;
	return (uint32_t)st->nidents++;
}

uint32_t collect_ident_add(struct stack_collect *st, const struct stack_sample *s, uint64_t h,
			   uint64_t frames_hash)
{
	uint32_t i = collect_ident_make(st, s, h, frames_hash);

	*(uint32_t *)htab_add(&st->ids, h) = i;
	return i;
}

/*
 * The identity of thread k in the n frames built in st->fr.buf (the first interned of them
 * already interned): found, or made now.
 */
static uint32_t collect_ident_of_frames(struct stack_collect *st, const struct stack_collect_key *k,
					uint32_t n, uint32_t interned, const char *comm,
					size_t comm_len)
{
	struct stack_sample s = { .pid = k->tgid, .tid = k->tid };
	const struct collect_ident_key q = { st->idents, &s };
	char tcomm[COLLECT_NAME_LEN];
	const char *pcomm;
	uint32_t *slot;
	uint64_t h, fh;
	bool added;

	s.frames = st->fr.buf;
	s.nframes = n;
	collect_intern_names(&st->in, st->fr.buf + interned, n - interned);
	fh = collect_frames_hash(st->fr.buf, n);
	h = collect_ident_hash(fh, &s);
	/* a new identity probes both tables: let the frames table's miss overlap this one's */
	collect_intern_prefetch(&st->in, fh);
	/* one search: a new identity's index goes in the slot it ended at */
	slot = htab_insert_as(&st->ids, uint32_t, h, &q, collect_ident_eq, &added);
	if (!added)
		return *slot;
	escape_cstr(tcomm, sizeof(tcomm), comm, comm_len);
	/*
	 * A process's name is its main thread's, as /proc/PID/comm says: read only for its other
	 * threads, in what is often a process of a single thread gone by now.
	 */
	pcomm = k->tid == k->tgid ? NULL
				  : collect_proc_name(collect_procs_get(&st->procs, k->tgid));
	s.comm = stack_store_name(st->in.store, tcomm);
	/* A process already gone: its thread's name is the best there is. */
	s.pcomm = pcomm ? stack_store_name(st->in.store, pcomm) : s.comm;
	*slot = collect_ident_make(st, &s, h, fh);
	return *slot;
}

/* The identity of a drained entry: known by its key, else symbolized and looked up. */
static uint32_t collect_ident_of(struct stack_collect *st, const struct stack_collect_key *k,
				 const char *comm, size_t comm_len)
{
	struct collect_built b = { 0 };
	struct collect_keyslot *slot;
	uint32_t id;
	bool added;

	/* one search: a new key is filled in the slot it ended at (nothing else adds keys here) */
	slot = htab_insert_as(&st->keys, struct collect_keyslot, collect_key_hash(k), k,
			      collect_key_eq, &added);
	if (!added)
		return slot->id;
	collect_frames_build(&st->fr, &st->procs, k, &b);
	id = collect_ident_of_frames(st, k, b.n, b.interned, comm, comm_len);
	*slot = (struct collect_keyslot){ .key = *k, .id = id };
	if (b.nuser)
		collect_frames_keep_user(&st->fr, k, b.gen, st->idents[id].s.frames, b.nuser);
	return id;
}

uint64_t collect_value(const struct stack_collect *st, uint64_t amount)
{
	unsigned __int128 v = (unsigned __int128)amount * st->scale.mul;

	v = (v + st->scale.div / 2) / st->scale.div;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* An empty aggregator; the kernel stack cache has one slot per possible id. */
struct stack_collect *stack_collect_new(struct sym_cache *sc, const struct stack_collect_map *map,
					struct stack_collect_scale scale,
					struct stack_set *interval, struct stack_set *cumulative)
{
	struct stack_collect *st = xcalloc(1, sizeof(*st));

	st->scale = scale;
	if (!st->scale.div)
		st->scale.div = 1;
	st->interval = interval;
	st->cumulative = cumulative;
	collect_intern_init(&st->in);
	collect_frames_init(&st->fr, sc, map);
	collect_procs_init(&st->procs);
	htab_init(&st->keys, sizeof(struct collect_keyslot), _Alignof(struct collect_keyslot));
	htab_init(&st->ids, sizeof(uint32_t), _Alignof(uint32_t));
	htab_init(&st->exited, sizeof(uint32_t), _Alignof(uint32_t));
	htab_init(&st->exited_last, sizeof(uint32_t), _Alignof(uint32_t));
	st->older = -1;
	return st;
}

void stack_collect_set_max(struct stack_collect *st, size_t max)
{
	st->max_idents = max;
}

void stack_collect_drops(const struct stack_collect *st, struct collector *c)
{
	if (st && st->max_idents && c->ndrops < COLLECTOR_MAX_DROPS)
		c->drops[c->ndrops++] =
			(struct collector_drop){ "older stacks merged", st->merged };
}

/* Free the aggregator; the sets it wrote to are the model's. */
void stack_collect_free(struct stack_collect *st)
{
	if (!st)
		return;
	free(st->idents);
	htab_fini(&st->keys);
	htab_fini(&st->ids);
	htab_fini(&st->exited);
	htab_fini(&st->exited_last);
	collect_intern_fini(&st->in);
	collect_frames_fini(&st->fr);
	collect_procs_fini(&st->procs);
	free(st->touched);
	free(st);
}

/* Hand a process to the symbolizer the first time it is seen. */
void stack_collect_note(struct stack_collect *st, uint32_t tgid)
{
	struct collect_proc *p = collect_procs_get(&st->procs, tgid);

	if (p->noted)
		return;
	/* Once, even if it failed: a process that is gone stays gone. */
	p->noted = true;
	sym_process_note(st->fr.sc, tgid);
}

/* After exec: the symbolizer forgets the old maps, and the name is read again. */
void stack_collect_exec(struct stack_collect *st, uint32_t tgid)
{
	collect_procs_exec(&st->procs, tgid);
	sym_process_forget(st->fr.sc, tgid);
}

static bool exited_eq(const void *entry, const void *key)
{
	return *(const uint32_t *)entry == *(const uint32_t *)key;
}

/*
 * Note an exited process, to fold at this interval's end and the next one's; the symbolizer
 * keeps its maps without reading them again.
 */
void stack_collect_exit(struct stack_collect *st, uint32_t tgid)
{
	bool added;

	if (!tgid)
		return;
	*(uint32_t *)htab_insert(&st->exited, hash_mix64(tgid), &tgid, exited_eq, &added) = tgid;
	sym_process_exited(st->fr.sc, tgid);
}

/* Zero the interval figures of the identities the last interval touched. */
void stack_collect_begin(struct stack_collect *st)
{
	for (size_t i = 0; i < st->ntouched; i++) {
		struct collect_ident *id = &st->idents[st->touched[i]];

		id->touched = false;
		id->cum_touched = false;
		id->int_amount = 0;
		id->int_count = 0;
	}
	st->ntouched = 0;
}

void collect_sum(struct stack_collect *st, uint32_t idn, uint64_t amount, uint64_t count,
		 bool cumulative)
{
	struct collect_ident *id = &st->idents[idn];

	if (!id->touched) {
		if (st->ntouched == st->touched_cap) {
			st->touched_cap = collect_grown(st->touched_cap);
			st->touched =
				xreallocarray(st->touched, st->touched_cap, sizeof(*st->touched));
		}
		st->touched[st->ntouched++] = idn;
		id->touched = true;
	}
	id->int_amount += amount;
	id->int_count += count;
	if (cumulative) {
		id->cum_amount += amount;
		id->cum_count += count;
		id->cum_touched = true;
	}
}

/* Sum an entry into its identity, symbolizing a key not seen before. */
void stack_collect_add(struct stack_collect *st, const struct stack_collect_key *k,
		       const char *comm, size_t comm_len, uint64_t amount, uint64_t count,
		       bool cumulative)
{
	collect_sum(st, collect_ident_of(st, k, comm, comm_len), amount, count, cumulative);
}

/* Name unwound user frames (innermost first in uf), then the key's kernel stack. */
void stack_collect_add_unwound(struct stack_collect *st, const struct stack_collect_key *k,
			       const struct stack_collect_uframe *uf, uint32_t nuf,
			       const char *mark, const char *comm, size_t comm_len, uint64_t amount,
			       uint64_t count, bool cumulative)
{
	uint32_t n = collect_frames_unwound(&st->fr, k, uf, nuf, mark);

	collect_sum(st, collect_ident_of_frames(st, k, n, 0, comm, comm_len), amount, count,
		    cumulative);
}

/* Rebuild the interval set; add new cumulative samples and update the others in place. */
void stack_collect_end(struct stack_collect *st)
{
	struct stack_set *cum = st->cumulative;

	collect_fold_exited(st);
	if (st->max_idents && st->nidents > st->max_idents)
		collect_merge(st);

	stack_set_reuse(st->interval, st->in.store);
	if (cum->store != st->in.store) /* the first end, or the first after a reset */
		stack_set_reuse(cum, st->in.store);
	for (size_t i = 0; i < st->ntouched; i++) {
		struct collect_ident *id = &st->idents[st->touched[i]];
		struct stack_sample s = id->s;

		s.value = collect_value(st, id->int_amount);
		s.count = id->int_count;
		stack_set_add_stored(st->interval, &s);
		if (!id->cum_touched)
			continue;
		if (!id->in_cum) {
			s.value = collect_value(st, id->cum_amount);
			s.count = id->cum_count;
			stack_set_add_stored(cum, &s);
			id->cum_idx = cum->nsamples - 1;
			id->in_cum = true;
		} else {
			struct stack_sample *c = &cum->samples[id->cum_idx];
			uint64_t v = collect_value(st, id->cum_amount);

			cum->total = cum->total - c->value + v;
			c->value = v;
			c->count = id->cum_count;
		}
	}
}

void stack_collect_forget_gen(struct stack_collect *st, int gen)
{
	/* Keys are a shortcut to identities, which stay: they are found again by their frames. */
	htab_clear(&st->keys);
	collect_frames_forget_gen(&st->fr, gen);
}

bool stack_collect_stack_hash(struct stack_collect *st, int32_t id, uint64_t *h)
{
	return collect_frames_stack_hash(&st->fr, id, h);
}

void stack_collect_forget_ids(struct stack_collect *st, const struct stack_collect_gone *g)
{
	struct htab kept;
	const struct collect_keyslot *e;
	size_t pos = 0;

	/* The keys that name a deleted id go: the id may name another stack next time. */
	htab_init(&kept, sizeof(struct collect_keyslot), _Alignof(struct collect_keyslot));
	while ((e = htab_next(&st->keys, &pos)))
		if (!stack_collect_is_gone(g, e->key.kstack) &&
		    !stack_collect_is_gone(g, e->key.ustack))
			*(struct collect_keyslot *)htab_add(&kept, collect_key_hash(&e->key)) = *e;
	htab_fini(&st->keys);
	st->keys = kept;
	collect_frames_forget_ids(&st->fr, g);
}

/*
 * Empty the cumulative set and the identities (kernel stacks stay cached). Their names and
 * frames go with the store, once the snapshots that share it are freed.
 */
void stack_collect_reset(struct stack_collect *st)
{
	st->nidents = 0;
	st->ntouched = 0;
	htab_clear(&st->keys);
	htab_clear(&st->ids);
	stack_set_clear(st->cumulative);
	stack_store_unref(collect_intern_restart(&st->in));
	collect_frames_forget_user(&st->fr);
	st->older = -1;
	st->merged = 0;
	st->unheld = 0;
}
