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
	size_t esize;
	htab_eq_fn *eq;
};

/* An empty table of entries of esize bytes, compared with eq; nothing allocated yet. */
void htab_init(struct htab *t, size_t esize, htab_eq_fn *eq);
/* Free the slots; the table is empty (and usable) again. */
void htab_fini(struct htab *t);
/* Forget every entry, keeping the slots. */
void htab_clear(struct htab *t);

/* The entry with this hash that eq says is key's, or NULL. */
void *htab_find(const struct htab *t, uint64_t hash, const void *key);
/* The entry of key (hash): found, or added zeroed (*added tells which; added may be NULL). */
void *htab_insert(struct htab *t, uint64_t hash, const void *key, bool *added);
/* Room for a new entry with this hash, zeroed, without a search: the caller knows it is new. */
void *htab_add(struct htab *t, uint64_t hash);
/* Remove the entry of key (hash); whether there was one. */
bool htab_delete(struct htab *t, uint64_t hash, const void *key);

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
