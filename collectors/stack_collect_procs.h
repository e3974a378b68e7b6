/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack aggregator's processes (part of collectors/stack_collect.c): whether the
 * symbolizer read a process's maps, its name from /proc, and the generation of its process
 * image, which exec renews, so that what was named in the old image is not used for the new.
 */
#ifndef KTOP_STACK_COLLECT_PROCS_H
#define KTOP_STACK_COLLECT_PROCS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/htab.h"

#define COLLECT_NAME_LEN 72 /* an escaped comm: 16 bytes, each "\xNN" at worst */

/* What is known of a process. */
struct collect_proc {
	uint32_t tgid;
	bool noted;		      /* its maps were handed to the symbolizer */
	bool named;		      /* pcomm was read from /proc */
	uint32_t gen;		      /* new at its first sight and at each exec */
	char pcomm[COLLECT_NAME_LEN]; /* escaped */
};

struct collect_procs {
	struct htab t; /* tgid -> struct collect_proc */
	uint32_t gen_next;
};

void collect_procs_init(struct collect_procs *ps);
void collect_procs_fini(struct collect_procs *ps);
/*
 * The entry of tgid, created if needed (with a new generation); the table starts again when
 * it holds too many. Good until the next call.
 */
struct collect_proc *collect_procs_get(struct collect_procs *ps, uint32_t tgid);
/* After tgid's exec: a new generation, and its maps and name to read again. */
void collect_procs_exec(struct collect_procs *ps, uint32_t tgid);
/* Forget tgid, which exited (nothing if it is not known). */
void collect_procs_forget(struct collect_procs *ps, uint32_t tgid);
/* The escaped name of process p from /proc, read once; NULL if it is gone. */
const char *collect_proc_name(struct collect_proc *p);

#endif
