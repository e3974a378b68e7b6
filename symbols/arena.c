// SPDX-License-Identifier: GPL-2.0
/* The string arena: strings packed in large chunks, found again through an open-addressed set. */
#include "symbols/arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define ARENA_CHUNK_SIZE (64 * 1024)
#define ARENA_MIN_SLOTS	 1024

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	char data[];
};

struct arena_slot {
	const char *str; /* NULL: free slot */
	uint32_t hash;
	uint32_t len;
};

struct sym_arena {
	struct arena_chunk *chunks; /* newest first; strings are carved from the head */
	struct arena_slot *slots;
	size_t nslots; /* a power of two */
	size_t count;
	size_t bytes;
};

/* FNV-1a over the bytes, folded to 32 bits. */
static uint32_t arena_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

struct sym_arena *sym_arena_new(void)
{
	struct sym_arena *a = xcalloc(1, sizeof(*a));

	a->nslots = ARENA_MIN_SLOTS;
	a->slots = xcalloc(a->nslots, sizeof(*a->slots));
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
	free(a->slots);
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

/* Double the set when it is half full. */
static void arena_grow(struct sym_arena *a)
{
	size_t nslots = a->nslots * 2;
	struct arena_slot *slots = xcalloc(nslots, sizeof(*slots));

	for (size_t i = 0; i < a->nslots; i++) {
		const struct arena_slot *s = &a->slots[i];
		size_t j;

		if (!s->str)
			continue;
		for (j = s->hash & (nslots - 1); slots[j].str; j = (j + 1) & (nslots - 1))
			;
		slots[j] = *s;
	}
	free(a->slots);
	a->slots = slots;
	a->nslots = nslots;
}

const char *sym_arena_intern(struct sym_arena *a, const char *s, size_t len)
{
	uint32_t hash;
	size_t i;
	char *copy;

	if (len > UINT32_MAX - 1)
		len = UINT32_MAX - 1;
	hash = arena_hash(s, len);
	for (i = hash & (a->nslots - 1); a->slots[i].str; i = (i + 1) & (a->nslots - 1)) {
		const struct arena_slot *slot = &a->slots[i];

		if (slot->hash == hash && slot->len == len && !memcmp(slot->str, s, len))
			return slot->str;
	}
	copy = arena_alloc(a, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	a->slots[i] = (struct arena_slot){.str = copy, .hash = hash, .len = (uint32_t)len};
	a->count++;
	a->bytes += len + 1;
	if (a->count * 2 > a->nslots)
		arena_grow(a);
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
	return a->count;
}
