/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A drained entry's frames, symbolized (part of collectors/stack_collect.c): its kernel stack,
 * read and named once per stack id for the whole run, without the probe's own frames; and its
 * user stack, read from the stack map and named once per process image, since the threads of
 * a pool block in one user stack under many keys. Frames go outermost first into one buffer
 * the aggregator reuses.
 */
#ifndef KTOP_STACK_COLLECT_FRAMES_H
#define KTOP_STACK_COLLECT_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "collectors/stack.h"
#include "collectors/stack_collect.h"
#include "collectors/stack_collect_procs.h"
#include "symbols/symbols.h"
#include "util/htab.h"

struct collect_kstack;

struct collect_frames {
	struct sym_cache *sc;
	struct stack_collect_map map;	/* depth at least 1 */
	uint64_t *addrs;		/* one stack map value: map.depth addresses */
	struct sym_frame *symf;		/* map.depth names of one kernel stack */
	struct stack_frame *buf;	/* one built stack: 2 * map.depth + 4 frames */
	struct collect_kstack *kstacks; /* by id; with two maps, the second's after the first's */
	struct htab ustacks; /* (tgid, generation, id) -> named user frames in the store */
	uint64_t *hashes;    /* by slot as kstacks: the hash of each id's addresses, 0 unknown */
};

/* What collect_frames_build put in cf->buf for a key. */
struct collect_built {
	uint32_t n;	   /* frames */
	uint32_t interned; /* at the start, already interned (user frames named before) */
	uint32_t nuser;	   /* user frames read from the map now, to remember (0: none) */
	uint32_t gen;	   /* the key's process image */
};

/* Buffers for map's stacks and one kernel stack slot per possible id; names from sc. */
void collect_frames_init(struct collect_frames *cf, struct sym_cache *sc,
			 const struct stack_collect_map *map);
void collect_frames_fini(struct collect_frames *cf);

/* Symbolize k's stacks into cf->buf, outermost first: user frames (ps: images), then kernel. */
void collect_frames_build(struct collect_frames *cf, struct collect_procs *ps,
			  const struct stack_collect_key *k, struct collect_built *b);
/*
 * Name unwound user frames (uf innermost first, mark above them when not NULL) into cf->buf,
 * then k's kernel stack; the number of frames.
 */
uint32_t collect_frames_unwound(struct collect_frames *cf, const struct stack_collect_key *k,
				const struct stack_collect_uframe *uf, uint32_t nuf,
				const char *mark);
/* Remember k's user frames in process image gen: the first n of frames, in the store. */
void collect_frames_keep_user(struct collect_frames *cf, const struct stack_collect_key *k,
			      uint32_t gen, const struct stack_frame *frames, uint32_t n);
/* Forget the remembered user frames (their store is going). */
void collect_frames_forget_user(struct collect_frames *cf);
/* Stack map gen (0 or 1) was emptied: forget its kernel stacks, and the user frames named. */
void collect_frames_forget_gen(struct collect_frames *cf, int gen);
/*
 * The hash of the addresses stack id holds (a fallback's cause bits ignored), read once per
 * id while it lives; false when it is not in the map.
 */
bool collect_frames_stack_hash(struct collect_frames *cf, int32_t id, uint64_t *h);
/* The ids of g were deleted: forget their kernel stacks and the user frames they named. */
void collect_frames_forget_ids(struct collect_frames *cf, const struct stack_collect_gone *g);

#endif
