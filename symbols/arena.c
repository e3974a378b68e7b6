// SPDX-License-Identifier: GPL-2.0
/* The string arena: strings packed in large chunks, found again through a hash table. */
#include "symbols/arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

#define ARENA_CHUNK_SIZE (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	char data[];
};

/* A string kept, or (as a search key) one to find. */
struct arena_str {
	const char *str;
	size_t len;
};

struct sym_arena {
	struct arena_chunk *chunks; /* newest first; strings are carved from the head */
	struct htab set;	    /* the strings kept (struct arena_str) */
	size_t bytes;
};

struct sym_arena *sym_arena_new(void)
{
	struct sym_arena *a = xcalloc(1, sizeof(*a));

	htab_init(&a->set, sizeof(struct arena_str), _Alignof(struct arena_str));
	return a;
}

void sym_arena_free(struct sym_arena *a)
{
	struct arena_chunk *c;

	if (!a)
		return;
	while ((c = a->chunks)) {
		a->chunks = c->next;
		free(c);
	}
	htab_fini(&a->set);
	free(a);
}

/* Room for size bytes: from the current chunk, a new one, or a chunk of its own if large. */
static char *arena_alloc(struct sym_arena *a, size_t size)
{
	struct arena_chunk *c = a->chunks;

	if (c && c->size - c->used >= size) {
		char *p = c->data + c->used;

		c->used += size;
		return p;
	}
	if (size > ARENA_CHUNK_SIZE / 4) {
		/* A big string gets its own chunk behind the current one, so no space is lost. */
		c = xmalloc(sizeof(*c) + size);
		c->size = c->used = size;
		if (a->chunks) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = NULL;
			a->chunks = c;
		}
		return c->data;
	}
	c = xmalloc(sizeof(*c) + ARENA_CHUNK_SIZE);
	c->size = ARENA_CHUNK_SIZE;
	c->used = size;
	c->next = a->chunks;
	a->chunks = c;
	return c->data;
}

/* Whether a kept string is the key's. */
static bool arena_str_eq(const void *entry, const void *key)
{
	const struct arena_str *e = entry;
	const struct arena_str *k = key;

	return e->len == k->len && !memcmp(e->str, k->str, k->len);
}

const char *sym_arena_intern(struct sym_arena *a, const char *s, size_t len)
{
	struct arena_str *e;
	bool added;
	char *copy;

	e = htab_insert(&a->set, hash_bytes(s, len), &(struct arena_str){ s, len }, arena_str_eq,
			&added);
	if (!added)
		return e->str;
	copy = arena_alloc(a, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	*e = (struct arena_str){ copy, len };
	a->bytes += len + 1;
	return copy;
}

const char *sym_arena_intern_str(struct sym_arena *a, const char *s)
{
	return sym_arena_intern(a, s, strlen(s));
}

size_t sym_arena_bytes(const struct sym_arena *a)
{
	return a->bytes;
}

size_t sym_arena_count(const struct sym_arena *a)
{
	return htab_len(&a->set);
}
