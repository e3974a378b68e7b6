// SPDX-License-Identifier: GPL-2.0
/*
 * Interned names and frames of the stack aggregator. The symbolizer's names (and literals)
 * live as long as the aggregator, so a name pointer seen once is not hashed by its text
 * again; frames arrays are found by the hash of their interned name pointers.
 */
#include "collectors/stack_collect_intern.h"

#include <string.h>

#include "util/hash.h"

/* A name pointer as given, and the same text in the store. */
struct intern_name {
	const char *from;
	const char *interned;
};

/* A frames array kept in the store. */
struct intern_frames {
	const struct stack_frame *frames;
	uint32_t n;
};

static bool intern_name_eq(const void *entry, const void *key)
{
	return ((const struct intern_name *)entry)->from == key;
}

/* Whether two arrays of n frames with interned names are the same. */
static bool intern_frames_same(const struct stack_frame *a, const struct stack_frame *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].name != b[i].name || a[i].kind != b[i].kind || a[i].src != b[i].src ||
		    a[i].addr != b[i].addr)
			return false;
	return true;
}

static bool intern_frames_eq(const void *entry, const void *key)
{
	const struct intern_frames *e = entry;
	const struct intern_frames *k = key;

	return e->n == k->n && intern_frames_same(e->frames, k->frames, k->n);
}

void collect_intern_init(struct collect_intern *ci)
{
	ci->store = stack_store_new();
	htab_init(&ci->names, sizeof(struct intern_name), _Alignof(struct intern_name));
	htab_init(&ci->frames, sizeof(struct intern_frames), _Alignof(struct intern_frames));
}

void collect_intern_fini(struct collect_intern *ci)
{
	stack_store_unref(ci->store);
	ci->store = NULL;
	htab_fini(&ci->names);
	htab_fini(&ci->frames);
}

struct stack_store *collect_intern_restart(struct collect_intern *ci)
{
	struct stack_store *old = ci->store;

	ci->store = stack_store_new();
	htab_clear(&ci->names);
	htab_clear(&ci->frames);
	return old;
}

/*
 * A name interned in the store, found by its pointer (which must live as long as the table);
 * inline in the loop over a stack's frames, where a call per frame cost as much as the search.
 * A pointer's bits need only the cheaper hash.
 */
static inline const char *intern_name(struct collect_intern *ci, const char *from)
{
	uint64_t h = hash_mul64((uint64_t)(uintptr_t)from);
	bool added;
	struct intern_name *e =
		htab_insert_as(&ci->names, struct intern_name, h, from, intern_name_eq, &added);

	if (added) {
		e->from = from;
		e->interned = stack_store_name(ci->store, from);
	}
	return e->interned;
}

void collect_intern_names(struct collect_intern *ci, struct stack_frame *frames, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		frames[i].name = intern_name(ci, frames[i].name);
		if (frames[i].src)
			frames[i].src = intern_name(ci, frames[i].src);
	}
}

uint64_t collect_frames_hash(const struct stack_frame *f, uint32_t n)
{
	uint64_t h = n;

	for (uint32_t i = 0; i < n; i++)
		h = hash_mix64(h ^ (uint64_t)(uintptr_t)f[i].name ^ (uint64_t)f[i].kind << 56 ^
			       (uint64_t)(uintptr_t)f[i].src * 31 ^
			       f[i].addr * 0x9e3779b97f4a7c15ULL);
	return h;
}

const struct stack_frame *collect_intern_frames(struct collect_intern *ci,
						const struct stack_frame *f, uint32_t n, uint64_t h)
{
	const struct intern_frames key = { f, n };
	struct stack_frame *copy;
	struct intern_frames *e;
	bool added;

	e = htab_insert_as(&ci->frames, struct intern_frames, h, &key, intern_frames_eq, &added);

	if (!added)
		return e->frames;
	copy = stack_store_frames(ci->store, n);
	memcpy(copy, f, n * sizeof(*f));
	*e = (struct intern_frames){ copy, n };
	return copy;
}
