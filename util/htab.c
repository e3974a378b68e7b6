// SPDX-License-Identifier: GPL-2.0
/*
 * Open addressing with linear probing. A slot is the entry's hash with its top bit set (so
 * that 0 marks a free slot and every hash is storable) followed by the entry; a removal shifts
 * the entries after it back, so no tombstones slow later searches.
 */
#include "util/htab.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define HTAB_LIVE     (1ULL << 63) /* set in the hash of every slot in use */
#define HTAB_MIN_CAP  16

/* The stored hash of slot i (0: free). */
static inline uint64_t *htab_hash_at(const struct htab *t, size_t i)
{
	return (uint64_t *)(t->slots + i * t->stride);
}

/* The entry of slot i. */
static inline void *htab_entry_at(const struct htab *t, size_t i)
{
	return t->slots + i * t->stride + sizeof(uint64_t);
}

void htab_init(struct htab *t, size_t esize, htab_eq_fn *eq)
{
	*t = (struct htab){
		.esize = esize,
		.stride = sizeof(uint64_t) + ((esize + 7) & ~(size_t)7),
		.eq = eq,
	};
}

void htab_fini(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
	t->len = 0;
}

void htab_clear(struct htab *t)
{
	if (t->cap)
		memset(t->slots, 0, t->cap * t->stride);
	t->len = 0;
}

/* The slot where a search for stored hash h ends: its entry's (eq says so) or a free one. */
static size_t htab_search(const struct htab *t, uint64_t h, const void *key)
{
	size_t mask = t->cap - 1;
	size_t i = h & mask;
	uint64_t s;

	while ((s = *htab_hash_at(t, i))) {
		if (s == h && t->eq(htab_entry_at(t, i), key))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* The first free slot from h's home. */
static size_t htab_free_slot(const struct htab *t, uint64_t h)
{
	size_t mask = t->cap - 1;
	size_t i = h & mask;

	while (*htab_hash_at(t, i))
		i = (i + 1) & mask;
	return i;
}

/* Double the slots (from none: HTAB_MIN_CAP) and place every entry again. */
static void htab_grow(struct htab *t)
{
	struct htab old = *t;

	t->cap = old.cap ? 2 * old.cap : HTAB_MIN_CAP;
	t->slots = xcalloc(t->cap, t->stride);
	for (size_t i = 0; i < old.cap; i++) {
		uint64_t h = *htab_hash_at(&old, i);

		if (h)
			memcpy(t->slots + htab_free_slot(t, h) * t->stride,
			       old.slots + i * old.stride, t->stride);
	}
	free(old.slots);
}

/* Make room for one more entry: at most half the slots are used. */
static inline void htab_make_room(struct htab *t)
{
	if (2 * (t->len + 1) > t->cap)
		htab_grow(t);
}

void *htab_find(const struct htab *t, uint64_t hash, const void *key)
{
	size_t i;

	if (!t->cap)
		return NULL;
	i = htab_search(t, hash | HTAB_LIVE, key);
	return *htab_hash_at(t, i) ? htab_entry_at(t, i) : NULL;
}

void *htab_insert(struct htab *t, uint64_t hash, const void *key, bool *added)
{
	uint64_t h = hash | HTAB_LIVE;
	size_t i;

	htab_make_room(t);
	i = htab_search(t, h, key);
	if (added)
		*added = !*htab_hash_at(t, i);
	if (!*htab_hash_at(t, i)) {
		*htab_hash_at(t, i) = h;
		t->len++;
	}
	return htab_entry_at(t, i);
}

void *htab_add(struct htab *t, uint64_t hash)
{
	uint64_t h = hash | HTAB_LIVE;
	size_t i;

	htab_make_room(t);
	i = htab_free_slot(t, h);
	*htab_hash_at(t, i) = h;
	t->len++;
	return htab_entry_at(t, i);
}

bool htab_delete(struct htab *t, uint64_t hash, const void *key)
{
	size_t mask = t->cap - 1;
	size_t i, j;

	if (!t->cap)
		return false;
	i = htab_search(t, hash | HTAB_LIVE, key);
	if (!*htab_hash_at(t, i))
		return false;
	/*
	 * Close the gap: an entry further on moves back into it unless its home lies after the
	 * gap (cyclically, in (i, j]), where a search for it would start past the gap.
	 */
	for (j = (i + 1) & mask; *htab_hash_at(t, j); j = (j + 1) & mask) {
		size_t home = *htab_hash_at(t, j) & mask;

		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		memcpy(t->slots + i * t->stride, t->slots + j * t->stride, t->stride);
		i = j;
	}
	memset(t->slots + i * t->stride, 0, t->stride);
	t->len--;
	return true;
}

void *htab_next(const struct htab *t, size_t *pos)
{
	for (size_t i = *pos; i < t->cap; i++) {
		if (*htab_hash_at(t, i)) {
			*pos = i + 1;
			return htab_entry_at(t, i);
		}
	}
	*pos = t->cap;
	return NULL;
}
