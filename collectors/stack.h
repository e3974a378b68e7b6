/* SPDX-License-Identifier: GPL-2.0 */
/* Symbolized stacks as collectors hand them to panels: one sample per distinct stack. */
#ifndef KTOP_STACK_H
#define KTOP_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/json.h"

enum stack_frame_kind {
	STACK_FRAME_USER,
	STACK_FRAME_KERNEL,
	STACK_FRAME_UNKNOWN, /* could not be named; the name says why */
	STACK_FRAME_MARK,    /* not a frame: "[stack collision]", "[truncated]", ... */
};
_Static_assert(STACK_FRAME_MARK < 8, "a frame's kind is 3 bits (struct stack_frame)");

/*
 * 24 bytes (the memcpy of frames into a store is most of a refresh): the address and the kind
 * share one word. Initialize by member name only ({ .name = n, .kind = k }): the order is
 * not the order of older code's positional initializers.
 */
struct stack_frame {
	const char *name; /* interned in the store of the set that holds the frame */
	const char *src; /* where in the source, "file.c:12" (interned), or NULL when unknown */
	/*
	 * User frames: the address in the process, its function's start when the frame is
	 * named (so every call in one function is one frame), the address itself when not;
	 * 0 when unknown (kernel frames and marks: 0). pprof finds the mapped file (and its
	 * build id) by it. 61 bits, sign-extended: every user address below 2^60 and every
	 * canonical kernel-half one ([vsyscall]) reads back as written.
	 */
	int64_t addr : 61;
	enum stack_frame_kind kind : 3;
};
_Static_assert(sizeof(struct stack_frame) == 24, "struct stack_frame is 24 bytes");

/*
 * Interned names and frame arrays, shared by the sets that point into them and freed with
 * the last reference: a snapshot of a set copies its samples, not its stacks. Append-only:
 * what was stored never moves or changes. Equal names interned in one store are one pointer.
 */
struct stack_store;

/* One distinct stack of one thread, with what it cost over a span. */
struct stack_sample {
	uint32_t pid; /* tgid */
	uint32_t tid;
	const char *comm;		  /* the thread's name, escaped */
	const char *pcomm;		  /* the process's name (its main thread), escaped */
	const struct stack_frame *frames; /* outermost caller first, kernel frames last */
	uint32_t nframes;
	bool exited;	/* pid and tid 0: the processes of these names that exited, folded */
	uint64_t value; /* off-CPU: microseconds; on-CPU: samples */
	uint64_t count; /* events (blocks or samples) */
};

/* A set of samples; names and frames live in its store. */
struct stack_set {
	struct stack_sample *samples; /* owned */
	size_t nsamples;
	size_t cap;
	uint64_t total;		   /* sum of value */
	struct stack_store *store; /* a reference; NULL until the first sample */
};

/* An empty store with one reference. Never fails (aborts on out of memory). */
struct stack_store *stack_store_new(void);
/* Another reference to st; returns st. */
struct stack_store *stack_store_ref(struct stack_store *st);
/* Drop a reference; the last one frees the store. NULL does nothing. */
void stack_store_unref(struct stack_store *st);
/* name (NULL: "") interned in st: the same pointer for the same text. */
const char *stack_store_name(struct stack_store *st, const char *name);
/* Room for n frames in st, to fill before the frames are shared. */
struct stack_frame *stack_store_frames(struct stack_store *st, uint32_t n);
/* The hash of an interned name's text, kept beside it (nothing is computed). */
uint64_t stack_name_hash(const char *interned);
/* The hash of a name's text, as stack_name_hash gives it once interned. */
uint64_t stack_name_hash_text(const char *name);

/* Append a sample: its names and frames are copied into the set's store; returns it. */
struct stack_sample *stack_set_add(struct stack_set *s, const struct stack_sample *sample);
/* Append a sample whose names and frames already live in s->store (nothing copied). */
struct stack_sample *stack_set_add_stored(struct stack_set *s, const struct stack_sample *sample);
/* Empty s but keep its array, for samples of store (referenced; s's old store dropped). */
void stack_set_reuse(struct stack_set *s, struct stack_store *store);
/* A copy of src into dst sharing src's store (dst's old contents are not freed). */
void stack_set_copy(struct stack_set *dst, const struct stack_set *src);
/* Free what the set owns, drop its store and zero it. */
void stack_set_clear(struct stack_set *s);
/* Shrink the set's array to its samples: a set kept long after it was filled (a query's). */
void stack_set_fit(struct stack_set *s);
/* The name of a frame kind: "user", "kernel", "unknown", "mark". */
const char *stack_frame_kind_name(enum stack_frame_kind kind);
/*
 * Write the samples as folded lines, "comm;outermost;...;innermost value", kernel frames
 * suffixed _[k], as flamegraph.pl, inferno and speedscope read them. 0 or -EIO.
 */
int stack_set_write_folded(const struct stack_set *s, FILE *out);
/*
 * Write the samples of pid (every sample when pid is 0) as a JSON array under key: each with
 * pid, tid, comm, process, value_key: value, count and frames [{name, kind[, src]}].
 */
void stack_set_write_json(const struct stack_set *s, struct json_out *j, const char *key,
			  uint32_t pid, const char *value_key);

#endif
