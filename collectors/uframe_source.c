// SPDX-License-Identifier: GPL-2.0
/*
 * Inlined calls and source lines of unwound frames: symbols/srcinfo.c asked once per
 * (process, address), the answer kept in an open-addressing table whose strings live in an
 * append-only arena, so the aggregator can intern them by address.
 */
#include "collectors/uframe_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/arena.h"
#include "symbols/srcinfo.h"
#include "symbols/unwind.h"
#include "util/xalloc.h"

#define SOURCE_LEVELS_MAX 8	    /* inlined calls kept at one address, plus its function */
#define SOURCE_SLOTS_MAX  (1 << 16) /* addresses remembered before the table starts again */

/* One address's answer: its levels in the pool. */
struct source_slot {
	uint32_t pid; /* 0: free */
	uint32_t nlevels;
	uint64_t pc;
	size_t first;
};

/* A level as kept: the inlined function's name (NULL for pc's own) and the source line. */
struct source_level {
	const char *name;
	const char *src;
};

struct uframe_source {
	struct unwind_cache *uc;
	struct sym_arena *strings;
	struct source_slot *slots;
	size_t nslots; /* a power of two */
	size_t used;
	struct source_level *levels;
	size_t nlevels;
	size_t levels_cap;
};

struct uframe_source *uframe_source_new(struct unwind_cache *uc)
{
	struct uframe_source *s = xcalloc(1, sizeof(*s));

	s->uc = uc;
	s->strings = sym_arena_new();
	s->nslots = 1024;
	s->slots = xcalloc(s->nslots, sizeof(*s->slots));
	return s;
}

void uframe_source_free(struct uframe_source *s)
{
	if (!s)
		return;
	sym_arena_free(s->strings);
	free(s->slots);
	free(s->levels);
	free(s);
}

/* Forget every address (the strings stay: the aggregator may hold them). */
static void source_clear(struct uframe_source *s)
{
	memset(s->slots, 0, s->nslots * sizeof(*s->slots));
	s->used = 0;
	s->nlevels = 0;
}

void uframe_source_forget(struct uframe_source *s, uint32_t pid)
{
	(void)pid;
	source_clear(s);
}

/* The slot of (pid, pc): its own, or the free one where it goes. */
static struct source_slot *source_slot(struct source_slot *slots, size_t nslots, uint32_t pid,
				       uint64_t pc)
{
	uint64_t h = (pc ^ ((uint64_t)pid << 40)) * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 32) & (nslots - 1);

	while (slots[i].pid && (slots[i].pid != pid || slots[i].pc != pc))
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

/* Make room for one more address: a larger table, or an empty one past the limit. */
static void source_make_room(struct uframe_source *s)
{
	struct source_slot *slots;
	size_t n;

	if (2 * (s->used + 1) <= s->nslots)
		return;
	if (s->nslots >= SOURCE_SLOTS_MAX) {
		source_clear(s);
		return;
	}
	n = 2 * s->nslots;
	slots = xcalloc(n, sizeof(*slots));
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].pid)
			*source_slot(slots, n, s->slots[i].pid, s->slots[i].pc) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
}

/* Ask the debug information about (pid, pc) and keep the answer in slot. */
static void source_fill(struct uframe_source *s, struct source_slot *slot, uint32_t pid,
			uint64_t pc)
{
	struct srcinfo_level lv[SOURCE_LEVELS_MAX];
	size_t n = unwind_source(s->uc, pid, pc, lv, SOURCE_LEVELS_MAX);
	char buf[SRCINFO_NAME_LEN + 16];

	if (s->nlevels + n > s->levels_cap) {
		while (s->nlevels + n > s->levels_cap)
			s->levels_cap = s->levels_cap ? 2 * s->levels_cap : 256;
		s->levels = xreallocarray(s->levels, s->levels_cap, sizeof(*s->levels));
	}
	*slot = (struct source_slot){
		.pid = pid, .pc = pc, .first = s->nlevels, .nlevels = (uint32_t)n
	};
	for (size_t i = 0; i < n; i++) {
		struct source_level *l = &s->levels[s->nlevels++];

		l->name = NULL;
		if (lv[i].inlined[0]) {
			snprintf(buf, sizeof(buf), "%s [inlined]", lv[i].inlined);
			l->name = sym_arena_intern_str(s->strings, buf);
		}
		l->src = NULL;
		if (lv[i].file[0] && lv[i].line) {
			snprintf(buf, sizeof(buf), "%s:%u", lv[i].file, lv[i].line);
			l->src = sym_arena_intern_str(s->strings, buf);
		}
	}
	s->used++;
}

size_t uframe_source_expand(struct uframe_source *s, uint32_t pid, uint64_t pc,
			    struct stack_collect_uframe *out, size_t max)
{
	struct source_slot *slot;
	size_t n = 0;

	if (!max)
		return 0;
	source_make_room(s);
	slot = source_slot(s->slots, s->nslots, pid, pc);
	if (!slot->pid)
		source_fill(s, slot, pid, pc);
	for (uint32_t i = 0; i < slot->nlevels && n < max; i++) {
		const struct source_level *l = &s->levels[slot->first + i];

		out[n++] = (struct stack_collect_uframe){ pc, l->name, l->src };
	}
	if (!n)
		out[n++] = (struct stack_collect_uframe){ pc, NULL, NULL };
	return n;
}
