/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack aggregator's interned names and frames (part of collectors/stack_collect.c): names
 * and frames arrays kept once in a store that the interval and cumulative sets share, found
 * again by the symbolizer's pointer (a name) or by content (frames), so that equal names are
 * one pointer and threads that block in the same code share one frames array.
 */
#ifndef KTOP_STACK_COLLECT_INTERN_H
#define KTOP_STACK_COLLECT_INTERN_H

#include <stdint.h>

#include "collectors/stack.h"
#include "util/htab.h"

struct collect_intern {
	struct stack_store *store; /* one reference, the aggregator's */
	struct htab names;	   /* a name pointer as given -> its text in the store */
	struct htab frames;	   /* frames arrays in the store, by content */
};

/* A new store and empty tables. */
void collect_intern_init(struct collect_intern *ci);
/* Drop the store and free the tables. */
void collect_intern_fini(struct collect_intern *ci);
/*
 * Start a new store with empty tables; the old one is returned with the aggregator's reference,
 * for the caller to drop once it has moved what it keeps.
 */
struct stack_store *collect_intern_restart(struct collect_intern *ci);

/* Replace the names of n frames (the symbolizer's or literals) by interned ones. */
void collect_intern_names(struct collect_intern *ci, struct stack_frame *frames, uint32_t n);
/* The hash of n frames whose names are interned (pointers stand for their text). */
uint64_t collect_frames_hash(const struct stack_frame *f, uint32_t n);
/* The store's copy of f[0..n) (names interned, hash h): one kept before, or a new one. */
const struct stack_frame *collect_intern_frames(struct collect_intern *ci,
						const struct stack_frame *f, uint32_t n,
						uint64_t h);

/* Start loading the frames table's slot for hash h, ahead of a collect_intern_frames. */
static inline void collect_intern_prefetch(const struct collect_intern *ci, uint64_t h)
{
	htab_prefetch(&ci->frames, h);
}

#endif
