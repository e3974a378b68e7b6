// SPDX-License-Identifier: GPL-2.0
/*
 * Inlined calls and source lines of unwound frames: symbols/srcinfo.c asked once per
 * (process, address), the answer kept in a hash table whose strings live in an
 * append-only arena, so the aggregator can intern them by address.
 */
#include "collectors/uframe_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/arena.h"
#include "symbols/srcinfo.h"
#include "symbols/unwind.h"
#include "util/hash.h"
#include "util/htab.h"
#include "util/pid_marks.h"
#include "util/xalloc.h"

#define SOURCE_LEVELS_MAX 8	    /* inlined calls kept at one address, plus its function */
#define SOURCE_ADDRS_MAX  (1 << 15) /* addresses remembered before the table starts again */

/* One address's answer: its levels in the pool. */
struct source_slot {
	uint32_t pid;
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
	struct htab slots; /* (pid, pc) -> struct source_slot */
	struct pid_marks pids; /* of the slots */
	struct source_level *levels;
	size_t nlevels;
	size_t levels_cap;
};

struct uframe_source *uframe_source_new(struct unwind_cache *uc)
{
	struct uframe_source *s = xcalloc(1, sizeof(*s));

	s->uc = uc;
	s->strings = sym_arena_new();
	htab_init(&s->slots, sizeof(struct source_slot), _Alignof(struct source_slot));
	return s;
}

void uframe_source_free(struct uframe_source *s)
{
	if (!s)
		return;
	sym_arena_free(s->strings);
	htab_fini(&s->slots);
	free(s->levels);
	free(s);
}

/* Forget every address (the strings stay: the aggregator may hold them). */
static void source_clear(struct uframe_source *s)
{
	htab_clear(&s->slots);
	pid_marks_clear(&s->pids);
	s->nlevels = 0;
}

void uframe_source_forget(struct uframe_source *s, uint32_t pid)
{
	/* Each exec on the box comes here: most are of processes with nothing kept. */
	if (pid_marks_may(&s->pids, pid))
		source_clear(s);
}

static bool source_slot_eq(const void *entry, const void *key)
{
	const struct source_slot *e = entry;
	const struct source_slot *k = key;

	return e->pid == k->pid && e->pc == k->pc;
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
}

size_t uframe_source_expand(struct uframe_source *s, uint32_t pid, uint64_t pc,
			    struct stack_collect_uframe *out, size_t max)
{
	struct source_slot *slot, key;
	size_t n = 0;
	bool added;

	if (!max)
		return 0;
	if (htab_len(&s->slots) >= SOURCE_ADDRS_MAX)
		source_clear(s);
	key = (struct source_slot){ .pid = pid, .pc = pc };
	slot = htab_insert(&s->slots, hash_mix64(pc ^ hash_mix64(pid)), &key, source_slot_eq,
			   &added);
	if (added) {
		pid_marks_add(&s->pids, pid);
		source_fill(s, slot, pid, pc);
	}
	for (uint32_t i = 0; i < slot->nlevels && n < max; i++) {
		const struct source_level *l = &s->levels[slot->first + i];

		out[n++] = (struct stack_collect_uframe){ pc, l->name, l->src };
	}
	if (!n)
		out[n++] = (struct stack_collect_uframe){ pc, NULL, NULL };
	return n;
}
