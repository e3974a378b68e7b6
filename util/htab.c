// SPDX-License-Identifier: GPL-2.0
/*
 * Open addressing with linear probing. A slot is 32 bits of the entry's hash with the top bit
 * set (so that 0 marks a free slot and every hash is storable), then the entry at its
 * alignment; a removal shifts the entries after it back, so no tombstones slow later
 * searches. The searches are in the header.
 */
#include "util/htab.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define HTAB_MIN_CAP 16

void htab_init(struct htab *t, size_t esize, size_t align)
{
	size_t a = align > sizeof(uint32_t) ? align : sizeof(uint32_t);

	/* the slot's alignment is the entry's (at least the hash's): the stride keeps it */
	*t = (struct htab){ .eoff = a, .stride = (a + esize + a - 1) & ~(a - 1) }; /* HTAB_STRIDE */
}

void htab_fini(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
	t->len = 0;
	t->room = 0;
}

void htab_clear(struct htab *t)
{
	if (t->cap)
		memset(t->slots, 0, t->cap * t->stride);
	t->len = 0;
}

/* The stored hash of slot i. */
static uint32_t *htab_slot_hash(const struct htab *t, size_t i)
{
	return (uint32_t *)(t->slots + i * t->stride);
}

/* The first free slot from stored hash h's home. */
static size_t htab_free_slot(const struct htab *t, uint32_t h)
{
	size_t mask = t->cap - 1;
	size_t i = h & mask;

	while (*htab_slot_hash(t, i))
		i = (i + 1) & mask;
	return i;
}

/* Double the slots (from none: HTAB_MIN_CAP) and place every entry again. */
void htab_grow(struct htab *t)
{
	struct htab old = *t;

	t->cap = old.cap ? 2 * old.cap : HTAB_MIN_CAP;
	t->room = t->cap / 4 * 3;
	t->slots = xcalloc(t->cap, t->stride);
	for (size_t i = 0; i < old.cap; i++) { /* by index: no offset added to a NULL old.slots */
		const unsigned char *from = old.slots + i * old.stride;
		uint32_t h = *(const uint32_t *)from;

		if (h)
			memcpy(htab_slot_hash(t, htab_free_slot(t, h)), from, t->stride);
	}
	free(old.slots);
}

void *htab_add(struct htab *t, uint64_t hash)
{
	uint32_t h = htab_stored(hash);
	size_t i;

	if (t->len >= t->room)
		htab_grow(t);
	i = htab_free_slot(t, h);
	*htab_slot_hash(t, i) = h;
	t->len++;
	return t->slots + i * t->stride + t->eoff;
}

bool htab_delete(struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq)
{
	size_t mask = t->cap - 1;
	unsigned char *slot;
	size_t i, j;

	if (!t->cap)
		return false;
	slot = htab_search_in(t, t->stride, t->eoff, htab_stored(hash), key, eq);
	i = (size_t)(slot - t->slots) / t->stride;
	if (!*htab_slot_hash(t, i))
		return false;
	/*
	 * Close the gap: an entry further on moves back into it unless its home lies after the
	 * gap (cyclically, in (i, j]), where a search for it would start past the gap.
	 */
	for (j = (i + 1) & mask; *htab_slot_hash(t, j); j = (j + 1) & mask) {
		size_t home = *htab_slot_hash(t, j) & mask;

		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		memcpy(htab_slot_hash(t, i), htab_slot_hash(t, j), t->stride);
		i = j;
	}
	memset(htab_slot_hash(t, i), 0, t->stride);
	t->len--;
	return true;
}

void *htab_next(const struct htab *t, size_t *pos)
{
	for (size_t i = *pos; i < t->cap; i++) {
		if (*htab_slot_hash(t, i)) {
			*pos = i + 1;
			return t->slots + i * t->stride + t->eoff;
		}
	}
	*pos = t->cap;
	return NULL;
}
