/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel stack-map records to symbolized samples, shared by the stack collectors (offcpu,
 * stacks): each drained (thread, kernel stack id, user stack id) entry is named once, merged
 * with every entry of the same thread and frames, and summed for the last interval and
 * overall. The collector says what one unit of its amount is worth (nanoseconds, samples).
 */
#ifndef KTOP_STACK_COLLECT_H
#define KTOP_STACK_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack.h"
#include "symbols/symbols.h"

/*
 * A stack id that was not asked for (no user space, or no kernel stack at that moment).
 * Outside the -errno range, so never a bpf_get_stackid() result; the BPF headers use the
 * same number.
 */
#define STACK_COLLECT_NONE (-4096)

/* A drained entry's identity in the kernel: one thread in one pair of stack ids. */
struct stack_collect_key {
	uint32_t tgid;
	uint32_t tid;
	int32_t kstack; /* stack map id, or a negative error / STACK_COLLECT_NONE */
	int32_t ustack;
};

/* What a sample's value is made of: value = amount * mul / div, rounded to the nearest. */
struct stack_collect_scale {
	uint64_t mul;
	uint64_t div; /* not 0 */
};

/*
 * An id taken in the second of two stack maps used in turn (the Stacks collector's) has this
 * bit set; ids are bucket numbers below 2^28, and bits 28-29 may hold a fallback's cause.
 */
#define STACK_COLLECT_GEN1 (1 << 30)

/* How the aggregator reads the collector's stack map, or its two. */
struct stack_collect_map {
	int fd;		/* a BPF_MAP_TYPE_STACK_TRACE map */
	uint32_t nids;	/* ids are below this (the map size rounded up to a power of two) */
	uint32_t depth; /* addresses in one value */
	bool gens;	/* two maps used in turn: ids with STACK_COLLECT_GEN1 are in fd1's */
	int fd1;	/* the second map, as large as the first, when gens */
};

struct stack_collect;

/*
 * A new aggregator writing into interval and cumulative (borrowed: the model's sets). It reads
 * stacks from map and names them with sc (borrowed). Free with stack_collect_free.
 */
struct stack_collect *stack_collect_new(struct sym_cache *sc, const struct stack_collect_map *map,
					struct stack_collect_scale scale,
					struct stack_set *interval, struct stack_set *cumulative);
void stack_collect_free(struct stack_collect *st);

/* Have the symbolizer read a process's maps now, once per process (best effort). */
void stack_collect_note(struct stack_collect *st, uint32_t tgid);
/* A process ran exec: its maps and its name are read again when next needed. */
void stack_collect_exec(struct stack_collect *st, uint32_t tgid);
/*
 * A process exited: at the end of this interval and the next (its last blocks may be drained
 * then), its identities are folded into one per process name, thread name and frames, with
 * pid and tid 0 and exited set, which keeps their time; then its name is forgotten.
 */
void stack_collect_exit(struct stack_collect *st, uint32_t tgid);

/* Start a new interval: what is added until stack_collect_end replaces the interval set. */
void stack_collect_begin(struct stack_collect *st);
/*
 * Add one drained entry to the interval, and to the cumulative set when cumulative: amount
 * in the collector's unit, count events, comm the thread's name as the kernel copied it
 * (comm_len bytes at most, escaped here).
 */
void stack_collect_add(struct stack_collect *st, const struct stack_collect_key *k,
		       const char *comm, size_t comm_len, uint64_t amount, uint64_t count,
		       bool cumulative);
/*
 * One frame of a user stack unwound in user space. name and src must stay valid as long as
 * the aggregator: they are interned by address.
 */
struct stack_collect_uframe {
	uint64_t pc;	  /* its call address (the interrupted one for the innermost) */
	const char *name; /* a function inlined at pc ("f [inlined]"), or NULL: pc's function */
	const char *src;  /* "file.c:12" executing in it, or NULL when unknown */
};

/*
 * Add one entry whose user stack was unwound in user space (k->ustack is not read): uf holds
 * its frames, innermost first; mark (NULL: none) goes above the outermost frame to say the
 * chain is not whole, e.g. "[truncated: 16 KiB]".
 */
void stack_collect_add_unwound(struct stack_collect *st, const struct stack_collect_key *k,
			       const struct stack_collect_uframe *uf, uint32_t nuf,
			       const char *mark, const char *comm, size_t comm_len, uint64_t amount,
			       uint64_t count, bool cumulative);
/* Write the interval set and bring the cumulative set up to date. */
void stack_collect_end(struct stack_collect *st);

/*
 * Stack map gen (0, or 1: fd1's) was emptied: what its ids named is forgotten (between an end
 * and the next begin), and the next ids of that map are read afresh.
 */
void stack_collect_forget_gen(struct stack_collect *st, int gen);

/*
 * Ids deleted from the two stack maps (the Off-CPU collector's, which keeps the ids blocks
 * still hold): one bit per id, the first map's then the second's.
 */
struct stack_collect_gone {
	const uint64_t *bits;
	uint32_t nids; /* ids of one map */
};

/* Whether stack id (a fallback's cause bits and STACK_COLLECT_GEN1 allowed) is in g. */
static inline bool stack_collect_is_gone(const struct stack_collect_gone *g, int32_t id)
{
	uint32_t b;

	if (id < 0 || !g->bits)
		return false;
	b = (uint32_t)id & ((1u << 28) - 1);
	if (b >= g->nids)
		return false;
	b += id & STACK_COLLECT_GEN1 ? g->nids : 0;
	return g->bits[b / 64] >> (b % 64) & 1;
}

/*
 * The hash of the addresses stack id holds in its map (a fallback's cause bits ignored): equal
 * for the same stack under any id. False when the id is not in the map.
 */
bool stack_collect_stack_hash(struct stack_collect *st, int32_t id, uint64_t *h);

/*
 * The ids of g were deleted from their maps: what they named is forgotten (between an end and
 * the next begin), the rest stays known.
 */
void stack_collect_forget_ids(struct stack_collect *st, const struct stack_collect_gone *g);

/* Empty the cumulative set (between an end and the next begin). */
void stack_collect_reset(struct stack_collect *st);

/*
 * Keep at most max identities (thread and frames; 0: no bound): an interval that ends over it
 * merges the smallest it did not touch into one "[older stacks]" sample, which keeps their
 * time, down to three quarters of max.
 */
void stack_collect_set_max(struct stack_collect *st, size_t max);

struct collector;
/* Append the aggregator's own drop counter (identities merged) to c's, when bounded. */
void stack_collect_drops(const struct stack_collect *st, struct collector *c);

#endif
