/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktop's one hash table: open addressing with linear probing, entries of one fixed size kept
 * in the slots beside 32 bits of their 64-bit hash (util/hash.h makes one), so a probe reads
 * one place and the caller's equality runs only on an equal hash. It holds at most three
 * quarters of its slots and doubles past that. Entries move when it grows or loses an
 * entry: a pointer to one is good until the next htab_insert, htab_add, htab_delete or
 * htab_clear.
 *
 * The struct is embedded by its owner; its fields are the table's own.
 */
#ifndef KTOP_UTIL_HTAB_H
#define KTOP_UTIL_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether entry is the one key names (the table compared their hashes already). */
typedef bool htab_eq_fn(const void *entry, const void *key);

struct htab {
	unsigned char *slots; /* cap slots of stride bytes: the hash (0: free), then the entry */
	size_t cap;	      /* a power of two, or 0 before the first insert */
	size_t len;
	size_t stride;
	size_t eoff; /* where a slot's entry starts: after the hash, as the entry is aligned */
};

#define HTAB_LIVE (1U << 31) /* set in the stored hash of every slot in use */

/*
 * An empty table of entries of esize bytes that need align (a power of two: _Alignof the
 * entry's type); nothing allocated yet.
 */
void htab_init(struct htab *t, size_t esize, size_t align);
/* Free the slots; the table is empty (and usable) again. */
void htab_fini(struct htab *t);
/* Forget every entry, keeping the slots. */
void htab_clear(struct htab *t);
/* Double the slots (the table's own; htab_insert and htab_add call it). */
void htab_grow(struct htab *t);

/*
 * The searches are inline so that the compiler can inline a constant eq into them: the
 * tables of the stack aggregator are probed for every new stack.
 */

/* What a slot keeps of hash: its low 31 bits (the home slot's index with them) and HTAB_LIVE. */
static inline uint32_t htab_stored(uint64_t hash)
{
	return (uint32_t)hash | HTAB_LIVE;
}

/* The slot where a search for stored hash h ends: key's entry, or a free slot (the table's own). */
static inline unsigned char *htab_search(const struct htab *t, uint32_t h, const void *key,
					 htab_eq_fn *eq)
{
	unsigned char *slot = t->slots + (h & (t->cap - 1)) * t->stride;
	unsigned char *end = t->slots + t->cap * t->stride;

	/* by bytes: a probe adds the stride, no multiply */
	for (;;) {
		uint32_t s = *(const uint32_t *)slot;

		if (!s || (s == h && eq(slot + t->eoff, key)))
			return slot;
		slot += t->stride;
		if (slot == end)
			slot = t->slots;
	}
}

/* The entry with this hash that eq says is key's, or NULL. */
static inline void *htab_find(const struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq)
{
	unsigned char *slot;

	if (!t->cap)
		return NULL;
	slot = htab_search(t, htab_stored(hash), key, eq);
	return *(const uint32_t *)slot ? slot + t->eoff : NULL;
}

/* The entry of key (hash): found, or added zeroed (*added tells which; added may be NULL). */
static inline void *htab_insert(struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq,
				bool *added)
{
	uint32_t h = htab_stored(hash);
	unsigned char *slot;
	bool fresh;

	if (4 * (t->len + 1) > 3 * t->cap)
		htab_grow(t);
	slot = htab_search(t, h, key, eq);
	fresh = !*(const uint32_t *)slot;
	if (fresh) {
		*(uint32_t *)slot = h;
		t->len++;
	}
	if (added)
		*added = fresh;
	return slot + t->eoff;
}

/* Room for a new entry with this hash, zeroed, without a search: the caller knows it is new. */
void *htab_add(struct htab *t, uint64_t hash);
/* Remove the entry of key (hash); whether there was one. */
bool htab_delete(struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq);

/*
 * The next entry from *pos (start at 0), or NULL at the end; in slot order. Nothing may be
 * added or removed during a walk.
 */
void *htab_next(const struct htab *t, size_t *pos);

/* The number of entries. */
static inline size_t htab_len(const struct htab *t)
{
	return t->len;
}

/*
 * Start loading the slot where a search for hash begins, to overlap its cache miss with
 * other work before the htab_find, htab_insert or htab_add that follows.
 */
static inline void htab_prefetch(const struct htab *t, uint64_t hash)
{
	if (t->cap)
		__builtin_prefetch(t->slots + (htab_stored(hash) & (t->cap - 1)) * t->stride);
}

#endif
