// SPDX-License-Identifier: GPL-2.0
#include "collectors/stack_codec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

#define STACK_CODEC_MAX_FRAMES 65536 /* more frames in one stack is damage */

/* A name already in the table: its pointer and number. */
struct codec_name {
	const char *name;
	uint32_t index;
};

struct stack_codec {
	struct htab names; /* struct codec_name by pointer: names interned in a store are one */
	uint32_t nnames;
	struct codec_out strings;
	struct codec_out samples;
};

struct stack_codec *stack_codec_new(void)
{
	struct stack_codec *c = xcalloc(1, sizeof(*c));

	htab_init(&c->names, sizeof(struct codec_name), _Alignof(struct codec_name));
	return c;
}

void stack_codec_free(struct stack_codec *c)
{
	if (!c)
		return;
	htab_fini(&c->names);
	codec_out_free(&c->strings);
	codec_out_free(&c->samples);
	free(c);
}

/* Whether a table entry holds the pointer key. */
static bool name_eq(const void *entry, const void *key)
{
	return ((const struct codec_name *)entry)->name == key;
}

/* The number of name in the table, added (and its text written) on first use. */
static uint32_t name_index(struct stack_codec *c, const char *name)
{
	struct codec_name *e;
	bool added;

	if (!name)
		name = "";
	e = htab_insert(&c->names, hash_mul64((uint64_t)(uintptr_t)name), name, name_eq, &added);
	if (added) {
		e->name = name;
		e->index = c->nnames++;
		codec_put_str(&c->strings, name);
	}
	return e->index;
}

void stack_set_encode(struct stack_codec *c, const struct stack_set *s, struct codec_out *out)
{
	htab_clear(&c->names);
	c->nnames = 0;
	codec_out_clear(&c->strings);
	codec_out_clear(&c->samples);
	codec_put_varint(&c->samples, s->nsamples);
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct stack_sample *x = &s->samples[i];

		codec_put_varint(&c->samples, x->pid);
		codec_put_varint(&c->samples, x->tid);
		codec_put_varint(&c->samples, name_index(c, x->comm));
		codec_put_varint(&c->samples, name_index(c, x->pcomm));
		codec_put_varint(&c->samples, x->value);
		codec_put_varint(&c->samples, x->count);
		codec_put_varint(&c->samples, x->exited ? STACK_SAMPLE_EXITED : 0);
		codec_put_varint(&c->samples, x->nframes);
		for (uint32_t k = 0; k < x->nframes; k++) {
			const struct stack_frame *f = &x->frames[k];
			uint8_t kind = (uint8_t)f->kind;

			codec_put_varint(&c->samples, name_index(c, f->name));
			codec_put_bytes(&c->samples, &kind, 1);
			codec_put_varint(&c->samples, f->src ? name_index(c, f->src) + 1ull : 0);
			codec_put_varint(&c->samples, f->addr);
		}
	}
	codec_put_varint(out, c->nnames);
	codec_put_bytes(out, c->strings.data, c->strings.len);
	codec_put_bytes(out, c->samples.data, c->samples.len);
}

/* Say where the set went wrong; -EBADMSG. */
static int bad(const struct codec_in *in, const char *what, char *why, size_t why_len)
{
	snprintf(why, why_len, "stack set: %s at byte %zu", what, in->pos);
	return -EBADMSG;
}

/* The strings of the table interned in st into names (n of them); 0 or -EBADMSG. */
static int read_strings(struct codec_in *in, struct stack_store *st, const char **names,
			size_t n, char *why, size_t why_len)
{
	char *buf = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t len = codec_get_varint(in);
		const uint8_t *p = in->bad || len > codec_in_left(in) ? NULL
								      : codec_get_bytes(in, len);

		if (!p) {
			free(buf);
			return bad(in, "a string runs past the end", why, why_len);
		}
		/* controls and invalid UTF-8 become \xNN, as the collectors leave live text */
		if (cap < 4 * len + 4) {
			cap = 4 * len + 4;
			buf = xreallocarray(buf, cap, 1);
		}
		if (escape_is_clean((const char *)p, len)) {
			memcpy(buf, p, len);
			buf[len] = '\0';
		} else {
			escape_text(buf, cap, (const char *)p, len);
		}
		names[i] = stack_store_name(st, buf);
	}
	free(buf);
	return 0;
}

/* A string number of the table (n strings); the cursor turns bad when out of range. */
static const char *get_name(struct codec_in *in, const char **names, size_t n)
{
	uint64_t i = codec_get_varint(in);

	if (i >= n) {
		in->bad = true;
		return NULL;
	}
	return names[i];
}

/* The samples into out, their frames in out's store; 0 or -EBADMSG. */
static int read_samples(struct codec_in *in, bool flags, struct stack_set *out,
			const char **names, size_t n, char *why, size_t why_len)
{
	uint64_t nsamples = codec_get_varint(in);

	/* a sample is at least 7 bytes: the count cannot say more than the bytes hold */
	if (in->bad || nsamples > codec_in_left(in) / 7)
		return bad(in, "more samples than bytes", why, why_len);
	for (uint64_t i = 0; i < nsamples; i++) {
		struct stack_sample x = { 0 };
		struct stack_frame *f = NULL;
		uint64_t pid = codec_get_varint(in), tid = codec_get_varint(in), nframes, fl = 0;

		x.comm = get_name(in, names, n);
		x.pcomm = get_name(in, names, n);
		x.value = codec_get_varint(in);
		x.count = codec_get_varint(in);
		if (flags)
			fl = codec_get_varint(in);
		nframes = codec_get_varint(in);
		if (in->bad || pid > UINT32_MAX || tid > UINT32_MAX || fl & ~STACK_SAMPLE_EXITED)
			return bad(in, "a bad sample", why, why_len);
		if (nframes > STACK_CODEC_MAX_FRAMES || nframes > codec_in_left(in) / 4)
			return bad(in, "more frames than bytes", why, why_len);
		x.pid = (uint32_t)pid;
		x.tid = (uint32_t)tid;
		x.exited = fl & STACK_SAMPLE_EXITED;
		x.nframes = (uint32_t)nframes;
		if (nframes)
			f = stack_store_frames(out->store, x.nframes);
		for (uint32_t k = 0; k < x.nframes; k++) {
			uint64_t src;
			uint8_t kind;

			f[k].name = get_name(in, names, n);
			kind = codec_get_u8(in);
			src = codec_get_varint(in);
			f[k].addr = codec_get_varint(in);
			if (in->bad || kind > STACK_FRAME_MARK || src > n)
				return bad(in, "a bad frame", why, why_len);
			f[k].kind = (enum stack_frame_kind)kind;
			f[k].src = src ? names[src - 1] : NULL;
		}
		x.frames = f;
		stack_set_add_stored(out, &x);
	}
	return 0;
}

int stack_set_decode(struct codec_in *in, uint64_t version, struct stack_set *out, char *why,
		     size_t why_len)
{
	struct stack_store *st = stack_store_new();
	uint64_t n = codec_get_varint(in);
	const char **names;
	int err;

	stack_set_reuse(out, st);
	stack_store_unref(st); /* the set's reference is the one kept */
	/* a string is at least its length's byte */
	if (in->bad || n > codec_in_left(in)) {
		err = bad(in, "more strings than bytes", why, why_len);
		goto out_clear;
	}
	names = xcalloc(n ? n : 1, sizeof(*names));
	err = read_strings(in, st, names, n, why, why_len);
	if (!err)
		err = read_samples(in, version >= STACK_CODEC_FLAGS_SINCE, out, names, n, why,
				   why_len);
	free(names);
	if (!err)
		return 0;
out_clear:
	stack_set_clear(out);
	return err;
}
