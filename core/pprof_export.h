/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks as a pprof profile: profile.proto (compiled from its upstream definition by
 * protoc-c), gzip-compressed, as go tool pprof, Pyroscope and Parca read it.
 */
#ifndef KTOP_PPROF_EXPORT_H
#define KTOP_PPROF_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/stack.h"
#include "symbols/symbols.h"

#define PPROF_STR_MAX 1024 /* bytes of one name, comm or file kept in a profile */

enum pprof_kind {
	PPROF_OFF_CPU, /* values: off-CPU microseconds -> off_cpu/nanoseconds */
	PPROF_ON_CPU,  /* counts: samples -> samples/count; values: usecs -> cpu/nanoseconds */
};

struct pprof_input {
	const struct stack_set *set; /* borrowed */
	enum pprof_kind kind;
	uint32_t pid;	    /* only this process's samples; 0: every process */
	uint32_t tid;	    /* only this thread's; 0: every thread */
	uint64_t period_ns; /* on-CPU: the time one sample stands for; 0: unknown */
	int64_t time_ns;    /* when the span the samples cover began (CLOCK_REALTIME) */
	int64_t duration_ns;
	/* Borrowed: the cache that named the frames, to find the file mapped at each user frame's
	 * address (its Mapping, with the file's build id); NULL: user frames have no mapping. */
	struct sym_cache *syms;
};

/*
 * Write in's samples to out as one gzip-compressed profile: a function per name and file,
 * a location per frame with the functions inlined at it as lines (innermost first), kernel
 * frames in a "[kernel.kallsyms]" mapping, pid, tid, comm and process as labels. 0 or
 * -errno with why.
 */
int pprof_write(FILE *out, const struct pprof_input *in, char *why, size_t why_len);

#endif
