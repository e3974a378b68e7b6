/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktop's one hash table: open addressing with linear probing, entries of one fixed size kept
 * in the slots beside 32 bits of their 64-bit hash (util/hash.h makes one), so a probe reads
 * one place and the caller's equality runs only on an equal hash. It holds at most three
 * quarters of its slots and doubles past that. Entries move when it grows or loses an
 * entry: a pointer to one is good until the next htab_insert, htab_add, htab_delete or
 * htab_clear. The hot tables search through htab_find_as and htab_insert_as, which take the
 * entry's type so that the slot layout is a constant where they are inlined.
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
	size_t room;   /* entries it holds before it grows: three quarters of cap */
	size_t stride; /* HTAB_STRIDE of the entry's type */
	size_t eoff;   /* HTAB_EOFF: where a slot's entry starts, after the hash */
};

#define HTAB_LIVE (1U << 31) /* set in the stored hash of every slot in use */

/* Where the entry of a slot of entries of type starts: past the hash, at the type's alignment. */
#define HTAB_EOFF(type) (_Alignof(type) > sizeof(uint32_t) ? _Alignof(type) : sizeof(uint32_t))
/* The bytes of a slot of entries of type (htab_init lays slots out so). */
#define HTAB_STRIDE(type) \
	((HTAB_EOFF(type) + sizeof(type) + HTAB_EOFF(type) - 1) & ~(HTAB_EOFF(type) - 1))

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
 * The searches are inline so that the compiler can inline a constant eq into them, and, through
 * the _as macros, the slot layout of the entry's type as constants: the tables of the stack
 * aggregator and the symbolizer are probed for every frame of every new stack.
 */

/* What a slot keeps of hash: its low 31 bits (the home slot's index with them) and HTAB_LIVE. */
static inline uint32_t htab_stored(uint64_t hash)
{
	return (uint32_t)hash | HTAB_LIVE;
}

/*
 * The slot where a search for stored hash h ends, in slots of stride bytes with the entry at
 * eoff: key's entry, or a free slot (the table's own).
 */
static inline unsigned char *htab_search_in(const struct htab *t, size_t stride, size_t eoff,
					    uint32_t h, const void *key, htab_eq_fn *eq)
{
	size_t mask = t->cap - 1;

	/* stride is a constant in the hot searches: the slot's address needs no multiply */
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		unsigned char *slot = t->slots + i * stride;
		uint32_t s = *(const uint32_t *)slot;

		if (!s || (s == h && eq(slot + eoff, key)))
			return slot;
	}
}

/* htab_find in slots of stride bytes with the entry at eoff (htab_find_as gives them). */
static inline void *htab_find_in(const struct htab *t, size_t stride, size_t eoff, uint64_t hash,
				 const void *key, htab_eq_fn *eq)
{
	unsigned char *slot;

	if (!t->cap)
		return NULL;
	slot = htab_search_in(t, stride, eoff, htab_stored(hash), key, eq);
	return *(const uint32_t *)slot ? slot + eoff : NULL;
}

/* htab_insert in slots of stride bytes with the entry at eoff (htab_insert_as gives them). */
static inline void *htab_insert_in(struct htab *t, size_t stride, size_t eoff, uint64_t hash,
				   const void *key, htab_eq_fn *eq, bool *added)
{
	uint32_t h = htab_stored(hash);
	unsigned char *slot;
	bool fresh;

	if (t->len >= t->room)
		htab_grow(t);
	slot = htab_search_in(t, stride, eoff, h, key, eq);
	fresh = !*(const uint32_t *)slot;
	if (fresh) {
		*(uint32_t *)slot = h;
		t->len++;
	}
	if (added)
		*added = fresh;
	return slot + eoff;
}

/* The entry with this hash that eq says is key's, or NULL. */
static inline void *htab_find(const struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq)
{
	return htab_find_in(t, t->stride, t->eoff, hash, key, eq);
}

/*
 * The entry of key (hash): found, or added zeroed (*added tells which; added may be NULL).
 * Nothing else may be added to the table before the caller fills a new entry.
 */
static inline void *htab_insert(struct htab *t, uint64_t hash, const void *key, htab_eq_fn *eq,
				bool *added)
{
	return htab_insert_in(t, t->stride, t->eoff, hash, key, eq, added);
}

/*
 * htab_find and htab_insert for a table of entries of type (as given to htab_init), its slot
 * layout a constant: the hot tables' searches.
 */
#define htab_find_as(t, type, hash, key, eq) \
	((type *)htab_find_in((t), HTAB_STRIDE(type), HTAB_EOFF(type), (hash), (key), (eq)))
#define htab_insert_as(t, type, hash, key, eq, added)                                         \
	((type *)htab_insert_in((t), HTAB_STRIDE(type), HTAB_EOFF(type), (hash), (key), (eq), \
				(added)))

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
