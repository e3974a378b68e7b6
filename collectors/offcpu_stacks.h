/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Off-CPU collector's user-space half: drained (thread, stack ids) records become
 * symbolized samples, merged by thread and frames, for the last interval and overall.
 * Only collectors/offcpu.c uses it.
 */
#ifndef KTOP_OFFCPU_STACKS_H
#define KTOP_OFFCPU_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "collectors/stack.h"
#include "symbols/symbols.h"
#include "bpf/offcpu.h"

struct offcpu_stacks;

/*
 * A new aggregator writing into interval and cumulative (borrowed: the model's sets). It reads
 * stacks from the stack map stack_fd, whose ids are below nids, and names them with sc
 * (borrowed). Free with offcpu_stacks_free.
 */
struct offcpu_stacks *offcpu_stacks_new(struct sym_cache *sc, int stack_fd, uint32_t nids,
					struct stack_set *interval, struct stack_set *cumulative);
void offcpu_stacks_free(struct offcpu_stacks *st);

/* Have the symbolizer read a process's maps now, once per process (best effort). */
void offcpu_stacks_note(struct offcpu_stacks *st, uint32_t tgid);
/* A process ran exec: its maps and its name are read again when next needed. */
void offcpu_stacks_exec(struct offcpu_stacks *st, uint32_t tgid);

/* Start a new interval: what is added until offcpu_stacks_end replaces the interval set. */
void offcpu_stacks_begin(struct offcpu_stacks *st);
/* Add n drained entries to the interval, and to the cumulative set when cumulative. */
void offcpu_stacks_add(struct offcpu_stacks *st, const struct offcpu_key *keys,
		       const struct offcpu_val *vals, size_t n, bool cumulative);
/* Write the interval set and bring the cumulative set up to date. */
void offcpu_stacks_end(struct offcpu_stacks *st);

/* Empty the cumulative set (between an end and the next begin). */
void offcpu_stacks_reset(struct offcpu_stacks *st);

#endif
