/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user side of a stack collector's kernel maps, shared by offcpu.c and stacks.c: a counts
 * map keyed by (tgid, tid, kernel stack id, user stack id) drained at each poll into
 * stack_collect.c, the entries a reset drained kept for the next interval, the interval and
 * cumulative clocks, the DWARF reader of copied user stacks, and the drop counters summed.
 */
#ifndef KTOP_STACK_SOURCE_H
#define KTOP_STACK_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/bpf_common.h"
#include "collectors/stack_collect.h"

#define STACK_SOURCE_PROGS_MAX 4 /* programs whose recursion misses are counted */

/* Whether a BPF counts map key type T has the layout of struct stack_collect_key. */
#define STACK_SOURCE_KEY_MATCHES(T)                                           \
	(sizeof(T) == sizeof(struct stack_collect_key) &&                     \
	 offsetof(T, tgid) == offsetof(struct stack_collect_key, tgid) &&     \
	 offsetof(T, tid) == offsetof(struct stack_collect_key, tid) &&       \
	 offsetof(T, kstack) == offsetof(struct stack_collect_key, kstack) && \
	 offsetof(T, ustack) == offsetof(struct stack_collect_key, ustack))

/* Where a counts map value keeps what the aggregator adds: byte offsets into it. */
struct stack_source_value {
	size_t size;
	size_t amount_at; /* a __u64 in the collector's unit (nanoseconds, samples) */
	size_t count_at;  /* a __u64: the events summed (may be amount_at) */
	size_t comm_at;	  /* the thread's name as the kernel copied it */
	size_t comm_len;
};

/* The value layout of type T: its amount, count and comm fields. */
#define STACK_SOURCE_VALUE(T, amount, count, comm)                                        \
	((struct stack_source_value){ sizeof(T), offsetof(T, amount), offsetof(T, count), \
				      offsetof(T, comm), sizeof(((T *)0)->comm) })

struct bpf_map;
struct ring_buffer;

/* A collector's loaded maps and programs, as its source reads them. */
struct stack_source_desc {
	const char *who;	/* "offcpu": the start of every reason */
	struct bpf_map *counts; /* BPF hash: a key laid out as struct stack_collect_key -> value */
	struct stack_source_value value;
	struct bpf_map *stacks;		  /* BPF_MAP_TYPE_STACK_TRACE */
	/*
	 * NULL, or a second stack map as large, used in turn with the first: *gen (the program's
	 * .bss) says which one samples use, and gens (an array of the two maps) is written to
	 * wait for the programs that may still use the other (stack_source_flip).
	 */
	struct bpf_map *stacks1;
	struct bpf_map *gens;
	uint32_t *gen;
	/*
	 * NULL, or (with stacks1) an mmapable __u64 array of each id's holders, the first map's
	 * ids then the second's: a retired map keeps the ids still held (an Off-CPU block that
	 * began before the flip), and only the others are deleted.
	 */
	struct bpf_map *refs;
	/*
	 * NULL, or (with refs) an mmapable __u64 array laid out as refs, where the programs set
	 * each id they take to 1: the ids a retire deletes are found there, not by walking the map.
	 */
	struct bpf_map *taken;
	uint32_t depth;			  /* addresses in one of its values */
	struct stack_collect_scale scale; /* what one unit of the amount is worth */
	struct bpf_map *drops;		  /* per-CPU __u64 array of the collector's drop counters */
	const struct bpf_common_drop *names; /* their names, in the order shown */
	size_t nnames;
	uint32_t ncounters;		      /* entries of drops */
	int prog_fds[STACK_SOURCE_PROGS_MAX]; /* programs whose recursion misses are counted */
	size_t nprogs;
	struct bpf_map *ustack;	       /* the ring buffer map of copied user stacks */
	struct ring_buffer *ustack_rb; /* the collector's ring buffer to read it with; NULL: own */
};

struct stack_source;
struct ustack_reader;
struct collector;
struct ktop_config;

/*
 * A source over d's maps writing into interval and cumulative (borrowed: the model's sets),
 * naming stacks with cfg->syms and unwinding with cfg->unwinder (borrowed; without syms, a
 * symbol cache and an unwinder of its own) and keeping at most cfg->max_stacks identities.
 * c->drops get their first reading. 0, or -errno with c->why.
 */
int stack_source_new(struct stack_source **out, const struct stack_source_desc *d,
		     const struct ktop_config *cfg, struct stack_set *interval,
		     struct stack_set *cumulative, struct collector *c);
void stack_source_free(struct stack_source *s);

/* The DWARF reader of copied user stacks (owned by s). */
struct ustack_reader *stack_source_reader(const struct stack_source *s);

/* Have the symbolizer read a process's maps now, while it lives. */
void stack_source_note(struct stack_source *s, uint32_t tgid);
/* A process ran exec: its maps, files and name are read again when next needed. */
void stack_source_exec(struct stack_source *s, uint32_t tgid);
/* A process exited: its stacks are folded by name once its last blocks are collected. */
void stack_source_exit(struct stack_source *s, uint32_t tgid);

/*
 * With two stack maps: samples take their stacks in the other map from now on, and the
 * programs that may still use this one are waited for, so that the next drain reads every
 * entry that refers to it; with refs, the ids of this map that nothing holds now are the ones
 * its retire deletes. Before the drain that ends an interval; 0, or -errno with why.
 */
int stack_source_flip(struct stack_source *s, char *why, size_t why_len);
/*
 * After the interval's collect (or skip): empty the map the last flip left (with refs, of the
 * ids nothing held at the flip), and forget what its ids named, so that ids never pile up
 * over a run.
 */
void stack_source_retire(struct stack_source *s);

/*
 * Move the counts map into the drained entries (replacing those not yet collected), each
 * read and deleted at once, so what ends meanwhile is read now or left for the next time.
 * How many were read, or -errno with why.
 */
int stack_source_drain(struct stack_source *s, char *why, size_t why_len);
/* The entries waiting for the next collect: those a reset kept, then those drained. */
size_t stack_source_pending(const struct stack_source *s);
/* Waiting entry i: its key, the thread's name (comm_len bytes, not escaped) and its amount. */
const struct stack_collect_key *stack_source_entry(const struct stack_source *s, size_t i,
						   const char **comm, size_t *comm_len,
						   uint64_t *amount);
/*
 * One interval into the aggregator: the waiting entries (those a reset kept count for the
 * interval only) and the stacks unwound since; their processes are noted first. Nothing
 * waits afterwards.
 */
void stack_source_collect(struct stack_source *s);
/* Forget the waiting entries and the unwound stacks. */
void stack_source_skip(struct stack_source *s);

/* End the interval at now: its length and the time since the reset. */
void stack_source_interval_end(struct stack_source *s, double now, double *interval_s,
			       double *cumulative_s);

/*
 * The r key: the cumulative figures start again now. What the kernel summed meanwhile counts
 * for the next interval when keep, else it goes.
 */
void stack_source_reset(struct stack_source *s, bool keep);
/* Settings changed: everything summed so far goes, here and in the kernel; clocks restart. */
void stack_source_restart(struct stack_source *s);

/*
 * The collector's drop counters, its programs' recursion misses, then the aggregator's and
 * the reader's losses into c->drops. 0, or -errno with c->why.
 */
int stack_source_drops(struct stack_source *s, struct collector *c);

#endif
