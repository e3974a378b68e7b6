// SPDX-License-Identifier: GPL-2.0
#include "collectors/stack.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

#define STORE_CHUNK_BYTES (64 * 1024) /* arena chunks; larger requests get their own */

/* A piece of a store's arena. */
struct store_chunk {
	struct store_chunk *next;
	size_t used;
	size_t size;
	uint64_t data[]; /* 8-byte aligned */
};

/* An interned name: the hash of its text kept just before it. */
struct store_name {
	uint64_t hash;
	char text[];
};

struct stack_store {
	unsigned long refs;
	struct store_chunk *chunks; /* newest first */
	struct htab names;	    /* interned texts (const char *) by the hash of their text */
};

struct stack_store *stack_store_new(void)
{
	struct stack_store *st = xcalloc(1, sizeof(*st));

	st->refs = 1;
	htab_init(&st->names, sizeof(const char *), _Alignof(const char *));
	return st;
}

struct stack_store *stack_store_ref(struct stack_store *st)
{
	st->refs++;
	return st;
}

void stack_store_unref(struct stack_store *st)
{
	struct store_chunk *c, *next;

	if (!st || --st->refs)
		return;
	for (c = st->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	htab_fini(&st->names);
	free(st);
}

/* size bytes of the arena, 8-byte aligned. */
static void *store_alloc(struct stack_store *st, size_t size)
{
	struct store_chunk *c = st->chunks;
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (!c || c->size - c->used < size) {
		size_t bytes = size > STORE_CHUNK_BYTES ? size : STORE_CHUNK_BYTES;

		c = xmalloc(sizeof(*c) + bytes);
		c->size = bytes;
		c->used = 0;
		c->next = st->chunks;
		st->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

uint64_t stack_name_hash_text(const char *name)
{
	return hash_str(name);
}

uint64_t stack_name_hash(const char *interned)
{
	const struct store_name *e = (const void *)(interned - offsetof(struct store_name, text));

	return e->hash;
}

/* Whether an interned name (an entry of the name table) has the text key. */
static bool store_name_eq(const void *entry, const void *key)
{
	return !strcmp(*(const char *const *)entry, key);
}

const char *stack_store_name(struct stack_store *st, const char *name)
{
	struct store_name *e;
	const char **slot;
	bool added;
	uint64_t h;
	size_t len;

	if (!name)
		name = "";
	h = stack_name_hash_text(name);
	slot = htab_insert_as(&st->names, const char *, h, name, store_name_eq, &added);
	if (!added)
		return *slot;
	len = strlen(name);
	e = store_alloc(st, sizeof(*e) + len + 1);
	e->hash = h;
	memcpy(e->text, name, len + 1);
	*slot = e->text;
	return e->text;
}

struct stack_frame *stack_store_frames(struct stack_store *st, uint32_t n)
{
	return store_alloc(st, (size_t)n * sizeof(struct stack_frame));
}

struct stack_sample *stack_set_add_stored(struct stack_set *s, const struct stack_sample *sample)
{
	if (s->nsamples == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->samples = xreallocarray(s->samples, s->cap, sizeof(*s->samples));
	}
	s->samples[s->nsamples] = *sample;
	s->total += sample->value;
	return &s->samples[s->nsamples++];
}

struct stack_sample *stack_set_add(struct stack_set *s, const struct stack_sample *sample)
{
	struct stack_sample x = *sample;
	struct stack_frame *f = NULL;

	if (!s->store)
		s->store = stack_store_new();
	x.comm = stack_store_name(s->store, sample->comm);
	x.pcomm = stack_store_name(s->store, sample->pcomm);
	if (sample->nframes)
		f = stack_store_frames(s->store, sample->nframes);
	for (uint32_t i = 0; i < sample->nframes; i++)
		f[i] = (struct stack_frame){
			.name = stack_store_name(s->store, sample->frames[i].name),
			.kind = sample->frames[i].kind,
			.src = sample->frames[i].src
				       ? stack_store_name(s->store, sample->frames[i].src)
				       : NULL,
			.addr = sample->frames[i].addr
		};
	x.frames = f;
	return stack_set_add_stored(s, &x);
}

void stack_set_reuse(struct stack_set *s, struct stack_store *store)
{
	struct stack_store *old = s->store;

	s->store = store ? stack_store_ref(store) : NULL;
	stack_store_unref(old);
	s->nsamples = 0;
	s->total = 0;
}

void stack_set_copy(struct stack_set *dst, const struct stack_set *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->nsamples) {
		dst->samples = xreallocarray(NULL, src->nsamples, sizeof(*dst->samples));
		memcpy(dst->samples, src->samples, src->nsamples * sizeof(*dst->samples));
	}
	dst->nsamples = src->nsamples;
	dst->cap = src->nsamples;
	dst->total = src->total;
	dst->store = src->store ? stack_store_ref(src->store) : NULL;
}

void stack_set_clear(struct stack_set *s)
{
	free(s->samples);
	stack_store_unref(s->store);
	memset(s, 0, sizeof(*s));
}

void stack_set_fit(struct stack_set *s)
{
	if (s->cap == s->nsamples)
		return;
	if (!s->nsamples) {
		free(s->samples);
		s->samples = NULL;
	} else {
		s->samples = xreallocarray(s->samples, s->nsamples, sizeof(*s->samples));
	}
	s->cap = s->nsamples;
}

const char *stack_frame_kind_name(enum stack_frame_kind kind)
{
	switch (kind) {
	case STACK_FRAME_USER:
		return "user";
	case STACK_FRAME_KERNEL:
		return "kernel";
	case STACK_FRAME_UNKNOWN:
		return "unknown";
	default:
		return "mark";
	}
}

/* Write s with the characters that would break a folded line replaced. */
static void put_folded(FILE *out, const char *s, const char *bad, char with)
{
	for (; *s; s++)
		fputc(strchr(bad, *s) ? with : *s, out);
}

int stack_set_write_folded(const struct stack_set *s, FILE *out)
{
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct stack_sample *x = &s->samples[i];

		put_folded(out, x->comm, "; \n\r", '_');
		for (uint32_t f = 0; f < x->nframes; f++) {
			fputc(';', out);
			put_folded(out, x->frames[f].name, ";\n\r", ':');
			if (x->frames[f].kind == STACK_FRAME_KERNEL)
				fputs("_[k]", out);
		}
		fprintf(out, " %llu\n", (unsigned long long)x->value);
	}
	return ferror(out) ? -EIO : 0;
}

void stack_set_write_json(const struct stack_set *s, struct json_out *j, const char *key,
			  uint32_t pid, const char *value_key)
{
	json_key(j, key);
	json_array_begin(j);
	for (size_t i = 0; s && i < s->nsamples; i++) {
		const struct stack_sample *x = &s->samples[i];

		if (pid && x->pid != pid)
			continue;
		json_object_begin(j);
		json_kv_u64(j, "pid", x->pid);
		json_kv_u64(j, "tid", x->tid);
		json_kv_str(j, "comm", x->comm);
		json_kv_str(j, "process", x->pcomm);
		if (x->exited)
			json_kv_bool(j, "exited", true);
		json_kv_u64(j, value_key, x->value);
		json_kv_u64(j, "count", x->count);
		json_key(j, "frames");
		json_array_begin(j);
		for (uint32_t f = 0; f < x->nframes; f++) {
			json_object_begin(j);
			json_kv_str(j, "name", x->frames[f].name);
			json_kv_str(j, "kind", stack_frame_kind_name(x->frames[f].kind));
			if (x->frames[f].src)
				json_kv_str(j, "src", x->frames[f].src);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}
