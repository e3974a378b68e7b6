/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A slow query's blocked stacks, named: the few stack id pairs the kernel kept with the query
 * (bpf/sql.h struct sql_stacks) become a set of symbolized samples through the stack
 * collectors' aggregator (collectors/stack_collect.c), one sample a pair, heaviest first,
 * and the blocked time of the others as one "[other stacks]" sample.
 */
#ifndef KTOP_SQL_STACKS_H
#define KTOP_SQL_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ktop_config;
struct sql_query;
struct sql_rules;
struct sql_stacks;
struct sql_stack_namer;

/*
 * A namer reading stack map map_fd (max_entries ids, depth addresses a value) and, in DWARF
 * mode, the user stacks copied into ring buffer map ustack_fd; naming with cfg->syms and
 * unwinding with cfg->unwinder (borrowed; without syms, a symbol cache of its own). 0, or
 * -errno with why.
 */
int sql_stack_namer_new(struct sql_stack_namer **out, int map_fd, uint32_t max_entries,
			uint32_t depth, int ustack_fd, const struct ktop_config *cfg, char *why,
			size_t why_len);
void sql_stack_namer_free(struct sql_stack_namer *n);

/* DWARF mode on (the copies' ring is read from now on) or off. 0, or -errno with why. */
int sql_stack_namer_dwarf(struct sql_stack_namer *n, bool on, char *why, size_t why_len);
/* Unwind the user stacks copied so far: before the slow queries that blocked in them arrive. */
void sql_stack_namer_consume(struct sql_stack_namer *n);
/* A process ran exec: its next stacks are named and unwound with its new files. */
void sql_stack_namer_exec(struct sql_stack_namer *n, uint32_t tgid);

/*
 * Name the stacks of q (its pid, tid and waits set) into q->stacks and q->stack_info, which
 * must be empty; nothing when the kernel kept none. In DWARF mode a pair's user frames are
 * those last unwound for the thread and its frame-pointer stack, else its frame pointers. A
 * stack that one of rules (NULL: none) matches has its blocked time moved in q->waits from
 * the kernel's class to the rule's.
 */
void sql_stack_namer_name(struct sql_stack_namer *n, const struct sql_stacks *st,
			  const struct sql_rules *rules, struct sql_query *q);

/* Forget the identities and names kept so far (the queries that hold them keep theirs). */
void sql_stack_namer_reset(struct sql_stack_namer *n);

#endif
