/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwound user frames with what the debug information says of them: the functions inlined at
 * each call address, and the source line executing in each, cached by (process, address).
 */
#ifndef KTOP_UFRAME_SOURCE_H
#define KTOP_UFRAME_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/stack_collect.h"

struct unwind_cache;
struct uframe_source;

/* A new cache reading debug information through uc's per-process modules (borrowed). */
struct uframe_source *uframe_source_new(struct unwind_cache *uc);
void uframe_source_free(struct uframe_source *s);

/*
 * Write the frames of call address pc of process pid into out, innermost first: one per
 * function inlined there ("name [inlined]"), then pc's own function (named later by the
 * symbolizer), each with its source line when known. How many: at least 1, at most max.
 * Names and lines live as long as s.
 */
size_t uframe_source_expand(struct uframe_source *s, uint32_t pid, uint64_t pc,
			    struct stack_collect_uframe *out, size_t max);

/* A process ran exec: what is cached of its addresses goes. */
void uframe_source_forget(struct uframe_source *s, uint32_t pid);

#endif
