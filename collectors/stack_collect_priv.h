/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack aggregator's state, shared by its own files only: stack_collect.c (kernel keys to
 * identities, and their sums) and stack_collect_merge.c (the bound on identities). Collectors
 * use collectors/stack_collect.h.
 */
#ifndef KTOP_STACK_COLLECT_PRIV_H
#define KTOP_STACK_COLLECT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack.h"
#include "collectors/stack_collect.h"
#include "collectors/stack_collect_frames.h"
#include "collectors/stack_collect_intern.h"
#include "collectors/stack_collect_procs.h"
#include "util/htab.h"

/* One thread in one symbolized stack. */
struct collect_ident {
	struct stack_sample s; /* pid, tid, comm, pcomm, frames (in the store); no value, count */
	uint64_t hash;	       /* of pid, tid and frames */
	uint64_t int_amount;   /* this interval, in the collector's unit */
	uint64_t int_count;
	uint64_t cum_amount; /* since the last reset */
	uint64_t cum_count;
	size_t cum_idx; /* its sample in the cumulative set, if in_cum */
	bool in_cum;
	bool touched;	  /* in this interval */
	bool cum_touched; /* its cumulative figures changed in this interval */
};

/* Kernel key -> identity. */
struct collect_keyslot {
	struct stack_collect_key key;
	uint32_t id;
};

struct stack_collect {
	struct stack_collect_scale scale;
	struct stack_set *interval;
	struct stack_set *cumulative;
	struct collect_intern in; /* the identities' names and frames, shared with the sets */
	struct collect_frames fr; /* stack map records to frames */
	struct collect_procs procs;

	struct collect_ident *idents;
	size_t nidents;
	size_t idents_cap;
	struct htab keys; /* kernel key -> identity (struct collect_keyslot) */
	struct htab ids;  /* identity hash -> identity (uint32_t) */

	uint32_t *touched; /* identities added to in this interval */
	size_t ntouched;
	size_t touched_cap;

	/* processes that exited (uint32_t tgids): noted in this interval, and in the last */
	struct htab exited;
	struct htab exited_last;
	uint64_t folded; /* identities folded into their exited process name's, ever */
	uint64_t unheld; /* identities dropped since the store was last renewed */

	size_t max_idents; /* 0: no bound */
	int64_t older;	   /* the identity older stacks are merged into, or -1 */
	uint64_t merged;   /* identities merged into it since the last reset */
};

/* The hash of a kernel key. */
uint64_t collect_key_hash(const struct stack_collect_key *k);
/* The hash of a sample's identity: process and thread, and its frames' hash. */
uint64_t collect_ident_hash(uint64_t frames_hash, const struct stack_sample *s);
/* The identity of sample s (identity hash h), or UINT32_MAX. */
uint32_t collect_ident_find(const struct stack_collect *st, const struct stack_sample *s,
			    uint64_t h);
/*
 * A new identity for sample s, not known yet (identity hash h; its frames, with names
 * interned, hash to frames_hash and are kept in the store); its index.
 */
uint32_t collect_ident_add(struct stack_collect *st, const struct stack_sample *s, uint64_t h,
			   uint64_t frames_hash);
/* Add an interval's amount to identity idn (and overall when cumulative). */
void collect_sum(struct stack_collect *st, uint32_t idn, uint64_t amount, uint64_t count,
		 bool cumulative);
/* An amount in the collector's unit as a sample value, rounded to the nearest. */
uint64_t collect_value(const struct stack_collect *st, uint64_t amount);

/* Keep the kernel keys of kept identities, renumbered by remap (UINT32_MAX: gone). */
void collect_keys_remap(struct stack_collect *st, const uint32_t *remap);

/*
 * Fold the identities of the processes noted as exited in this interval and the last into
 * one per names and frames (stack_collect_exited.c); the last interval's are then forgotten.
 */
void collect_fold_exited(struct stack_collect *st);

/* Move every identity into a new store, leaving the names and frames none holds. */
void collect_restore(struct stack_collect *st);

/*
 * Over the bound: merge the smallest identities the interval did not touch into the older
 * stacks' one and move the rest into a new store (stack_collect_merge.c).
 */
void collect_merge(struct stack_collect *st);

#endif
