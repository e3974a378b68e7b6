/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktop's one hash table: open addressing with linear probing, entries of one fixed size kept
 * in the slots beside their 64-bit hash (util/hash.h makes one), so a probe reads one place
 * and the caller's equality runs only on an equal hash. It holds at most half its slots and
 * doubles past that. Entries move when it grows or loses an entry: a pointer to one is good
 * until the next htab_insert, htab_add, htab_delete or htab_clear.
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
};

#define HTAB_LIVE (1ULL << 63) /* set in the stored hash of every slot in use */

/* An empty table of entries of esize bytes; nothing allocated yet. */
void htab_init(struct htab *t, size_t esize);
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

/* The stored hash of slot i (the table's own). */
static inline uint64_t *htab_slot_hash(const struct htab *t, size_t i)
{
	return (uint64_t *)(t->slots + i * t->stride);
}

/* The entry of slot i (the table's own). */
static inline void *htab_slot_entry(const struct htab *t, size_t i)
{
	return t->slots + i * t->stride + sizeof(uint64_t);
}

/* The slot where a search for stored hash h ends: key's entry, or a free slot (the table's own). */
static inline unsigned char *htab_search(const struct htab *t, uint64_t h, const void *key,
					 htab_eq_fn *eq)
{
	size_t mask = t->cap - 1;
	size_t i = h & mask;

	for (;;) {
		unsigned char *slot = t->slots + i * t->stride;
		uint64_t s = *(const uint64_t *)slot;

		if (!s || (s == h && eq(slot + sizeof(uint64_t), key)))
			return slot;
		i = (i + 1) & mask;
	}
}

/* The entry with this hash that eq says is key's, or NULL. */
static inline void *htab_find(const struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq)
{
	unsigned char *slot;

	if (!t->cap)
		return NULL;
	slot = htab_search(t, hash | HTAB_LIVE, key, eq);
	return *(const uint64_t *)slot ? slot + sizeof(uint64_t) : NULL;
}

/* The entry of key (hash): found, or added zeroed (*added tells which; added may be NULL). */
static inline void *htab_insert(struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq,
				bool *added)
{
	uint64_t h = hash | HTAB_LIVE;
	unsigned char *slot;
	bool fresh;

	if (2 * (t->len + 1) > t->cap)
		htab_grow(t);
	slot = htab_search(t, h, key, eq);
	fresh = !*(const uint64_t *)slot;
	if (fresh) {
		*(uint64_t *)slot = h;
		t->len++;
	}
	if (added)
		*added = fresh;
	return slot + sizeof(uint64_t);
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
		__builtin_prefetch(t->slots + (hash & (t->cap - 1)) * t->stride);
}

#endif
