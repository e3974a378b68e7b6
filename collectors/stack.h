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
	STACK_FRAME_MARK,    /* not a frame: "[missing user stack]", "[truncated]", ... */
};

struct stack_frame {
	const char *name; /* borrowed from the symbolizer's arena: valid for the run */
	enum stack_frame_kind kind;
};

/* One distinct stack of one thread, with what it cost over a span. */
struct stack_sample {
	uint32_t pid;        /* tgid */
	uint32_t tid;
	char comm[72];       /* the thread's name, escaped */
	char pcomm[72];      /* the process's name (its main thread), escaped */
	struct stack_frame *frames; /* owned; outermost caller first, kernel frames last */
	uint32_t nframes;
	uint64_t value;      /* off-CPU: microseconds; on-CPU: samples */
	uint64_t count;      /* events (blocks or samples) */
};

/* A set of samples. */
struct stack_set {
	struct stack_sample *samples; /* owned */
	size_t nsamples;
	uint64_t total;      /* sum of value */
};

/* Append a sample (frames copied); returns it. */
struct stack_sample *stack_set_add(struct stack_set *s, const struct stack_sample *sample);
/* A deep copy of src into dst (dst's old contents are not freed). */
void stack_set_copy(struct stack_set *dst, const struct stack_set *src);
/* Free what the set owns and zero it. */
void stack_set_clear(struct stack_set *s);
/* The name of a frame kind: "user", "kernel", "unknown", "mark". */
const char *stack_frame_kind_name(enum stack_frame_kind kind);
/*
 * Write the samples as folded lines, "comm;outermost;...;innermost value", kernel frames
 * suffixed _[k], as flamegraph.pl, inferno and speedscope read them. 0 or -EIO.
 */
int stack_set_write_folded(const struct stack_set *s, FILE *out);
/*
 * Write the samples of pid (every sample when pid is 0) as a JSON array under key: each with
 * pid, tid, comm, process, value_key: value, count and frames [{name, kind}].
 */
void stack_set_write_json(const struct stack_set *s, struct json_out *j, const char *key,
			  uint32_t pid, const char *value_key);

#endif
