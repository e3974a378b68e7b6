// SPDX-License-Identifier: GPL-2.0
#include "collectors/stacks_codec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "collectors/codec_fields.h"
#include "util/xalloc.h"

#define STACKS_CODEC_MAX_ITEMS 1000000 /* more threads or processes than this is damage */

/* A thread is at least 15 bytes, a process of the picker 3: counts are checked against them. */
#define STACKS_THREAD_MIN_BYTES 15
#define STACKS_TOP_MIN_BYTES	3

/* A string that fits a field of size bytes. */
static void put_field(struct codec_out *out, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	codec_put_varint(out, n);
	codec_put_bytes(out, s, n);
}

void stacks_model_encode(struct stack_codec *c, const struct stacks_model *m,
			 struct codec_out *out)
{
	codec_put_varint(out, STACKS_CODEC_VERSION);
	codec_put_varint(out, m->pid);
	put_field(out, m->comm, sizeof(m->comm));
	codec_put_bytes(out, &(uint8_t){ m->exited }, 1);
	put_field(out, m->why, sizeof(m->why));
	codec_put_varint(out, m->hz);
	codec_put_double(out, m->interval_s);
	codec_put_double(out, m->cumulative_s);
	codec_put_varint(out, m->polls);
	codec_put_double(out, m->poll_s);
	codec_put_varint(out, m->nthreads);
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct stacks_thread *t = &m->threads[i];

		codec_put_varint(out, t->tid);
		put_field(out, t->name, sizeof(t->name));
		codec_put_bytes(out, &t->state, 1);
		codec_put_double(out, t->cpu_pct);
		codec_put_varint(out, t->oncpu_samples);
		codec_put_varint(out, t->voluntary);
		codec_put_varint(out, t->involuntary);
		put_field(out, t->wchan, sizeof(t->wchan));
		put_field(out, t->kstack, sizeof(t->kstack));
		codec_put_bytes(out, &(uint8_t){ t->exited }, 1);
	}
	codec_put_varint(out, m->ntop);
	for (size_t i = 0; i < m->ntop; i++) {
		codec_put_varint(out, m->top[i].pid);
		put_field(out, m->top[i].comm, sizeof(m->top[i].comm));
		codec_put_varint(out, m->top[i].oncpu_us);
	}
	stack_set_encode(c, &m->oncpu_interval, out);
}

/*
 * A string into a field of size bytes: longer than the field is damage (the encoder cuts to
 * it); text that is not clean is escaped as live text is, cut to the field.
 */
/* The threads; false when the cursor went bad. */
static bool read_threads(struct codec_in *in, struct stacks_model *m)
{
	m->nthreads = codec_get_count(in, STACKS_THREAD_MIN_BYTES, STACKS_CODEC_MAX_ITEMS);
	if (in->bad)
		return false;
	m->threads = m->nthreads ? xcalloc(m->nthreads, sizeof(*m->threads)) : NULL;
	for (size_t i = 0; i < m->nthreads && !in->bad; i++) {
		struct stacks_thread *t = &m->threads[i];
		uint8_t state;

		t->tid = codec_get_u32(in);
		codec_get_field(in, t->name, sizeof(t->name));
		state = codec_get_u8(in);
		/* a state is a printable letter (0: unread): anything else is damage */
		if (state && (state < 0x21 || state > 0x7e))
			in->bad = true;
		t->state = (char)state;
		t->cpu_pct = codec_get_double(in);
		if (!isfinite(t->cpu_pct))
			in->bad = true;
		t->oncpu_samples = codec_get_varint(in);
		t->voluntary = codec_get_varint(in);
		t->involuntary = codec_get_varint(in);
		codec_get_field(in, t->wchan, sizeof(t->wchan));
		codec_get_field(in, t->kstack, sizeof(t->kstack));
		t->exited = codec_get_flag(in);
	}
	return !in->bad;
}

/* The picker's processes; false when the cursor went bad. */
static bool read_top(struct codec_in *in, struct stacks_model *m)
{
	m->ntop = codec_get_count(in, STACKS_TOP_MIN_BYTES, STACKS_CODEC_MAX_ITEMS);
	if (in->bad)
		return false;
	m->top = m->ntop ? xcalloc(m->ntop, sizeof(*m->top)) : NULL;
	for (size_t i = 0; i < m->ntop && !in->bad; i++) {
		m->top[i].pid = codec_get_u32(in);
		codec_get_field(in, m->top[i].comm, sizeof(m->top[i].comm));
		m->top[i].oncpu_us = codec_get_varint(in);
	}
	return !in->bad;
}

int stacks_model_decode(const void *data, size_t len, struct stacks_model **out, char *why,
			size_t why_len)
{
	struct stacks_model *m = xcalloc(1, sizeof(*m));
	struct codec_in in;
	uint64_t version;
	int err;

	*out = NULL;
	if (codec_in_begin(&in, data, len, STACKS_CODEC_VERSION, "stacks", &version, why,
			   why_len)) {
		stacks_model_free(m);
		return -EPROTO;
	}
	m->pid = codec_get_u32(&in);
	codec_get_field(&in, m->comm, sizeof(m->comm));
	m->exited = codec_get_flag(&in);
	codec_get_field(&in, m->why, sizeof(m->why));
	m->hz = codec_get_u32(&in);
	m->interval_s = codec_get_double(&in);
	m->cumulative_s = codec_get_double(&in);
	m->polls = codec_get_varint(&in);
	m->poll_s = codec_get_double(&in);
	if (in.bad || version == 0 || !isfinite(m->interval_s) || !isfinite(m->cumulative_s) ||
	    !isfinite(m->poll_s)) {
		snprintf(why, why_len, "stacks model: a bad header at byte %zu", in.pos);
		stacks_model_free(m);
		return -EBADMSG;
	}
	if (!read_threads(&in, m) || !read_top(&in, m)) {
		snprintf(why, why_len, "stacks model: a bad thread or process at byte %zu", in.pos);
		stacks_model_free(m);
		return -EBADMSG;
	}
	err = stack_set_decode(&in, version, &m->oncpu_interval, why, why_len);
	if (!err && codec_in_left(&in)) {
		snprintf(why, why_len, "stacks model: %zu bytes left over at byte %zu",
			 codec_in_left(&in), in.pos);
		err = -EBADMSG;
	}
	if (err) {
		stacks_model_free(m);
		return err;
	}
	*out = m;
	return 0;
}
