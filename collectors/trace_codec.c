// SPDX-License-Identifier: GPL-2.0
#include "collectors/trace_codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collectors/codec_text.h"
#include "util/xalloc.h"

/* The fewest bytes a probe and an event take: counts are checked against them. */
#define TRACE_PROBE_MIN_BYTES 9
#define TRACE_EVENT_MIN_BYTES 14

size_t trace_model_interval_events(const struct trace_model *m)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->nprobes; i++)
		n += m->probes[i].interval_events;
	return n < m->nevents ? (size_t)n : m->nevents;
}

void trace_model_encode(const struct trace_model *m, struct codec_out *out)
{
	size_t first = m->nevents - trace_model_interval_events(m);

	codec_put_varint(out, TRACE_CODEC_VERSION);
	codec_put_double(out, m->interval_s);
	codec_put_varint(out, m->lost);
	codec_put_varint(out, m->polls);
	codec_put_bytes(out, &(uint8_t){ m->vfs_active }, 1);
	codec_put_field(out, m->vfs_how, sizeof(m->vfs_how));
	for (int op = 0; op < TRACE_VFS_COUNT; op++)
		codec_put_varint(out, m->vfs[op]);
	for (int op = 0; op < TRACE_VFS_COUNT; op++)
		for (int i = 0; i < TRACE_VFS_HISTORY; i++)
			codec_put_varint(out, m->vfs_history[op][i]);
	codec_put_varint(out, m->nprobes);
	for (size_t i = 0; i < m->nprobes; i++) {
		const struct trace_probe_info *p = &m->probes[i];

		codec_put_varint(out, p->id);
		codec_put_bytes(out, &p->type, 1);
		codec_put_field(out, p->spec, sizeof(p->spec));
		codec_put_field(out, p->target, sizeof(p->target));
		codec_put_bytes(out, &(uint8_t){ p->attached }, 1);
		codec_put_field(out, p->why, sizeof(p->why));
		codec_put_varint(out, p->events);
		codec_put_varint(out, p->interval_events);
		codec_put_varint(out, p->lost);
	}
	codec_put_varint(out, m->nevents - first);
	for (size_t i = first; i < m->nevents; i++) {
		const struct trace_event *e = &m->events[i];
		uint32_t nargs = e->nargs < TRACE_MAX_ARGS ? e->nargs : TRACE_MAX_ARGS;

		codec_put_double(out, e->time);
		codec_put_varint(out, e->pid);
		codec_put_varint(out, e->tid);
		codec_put_field(out, e->comm, sizeof(e->comm));
		codec_put_varint(out, e->probe_id);
		codec_put_str(out, e->message);
		codec_put_varint(out, nargs);
		for (uint32_t a = 0; a < nargs; a++)
			codec_put_varint(out, e->args[a]);
	}
}

/* A probe's type: one of the letters a spec makes. */
static char get_type(struct codec_in *in)
{
	uint8_t t = codec_get_u8(in);

	if (!t || !strchr("prUt", t))
		in->bad = true;
	return (char)t;
}

/* The probes; false when the cursor went bad. */
static bool read_probes(struct codec_in *in, struct trace_model *m)
{
	m->nprobes = codec_get_count(in, TRACE_PROBE_MIN_BYTES, TRACE_MAX_PROBES);
	m->probes = m->nprobes ? xcalloc(m->nprobes, sizeof(*m->probes)) : NULL;
	for (size_t i = 0; i < m->nprobes && !in->bad; i++) {
		struct trace_probe_info *p = &m->probes[i];

		p->id = codec_get_u32(in);
		p->type = get_type(in);
		codec_get_field(in, p->spec, sizeof(p->spec));
		codec_get_field(in, p->target, sizeof(p->target));
		p->attached = codec_get_flag(in);
		codec_get_field(in, p->why, sizeof(p->why));
		p->events = codec_get_varint(in);
		p->interval_events = codec_get_varint(in);
		p->lost = codec_get_varint(in);
	}
	return !in->bad;
}

/* The interval's events (their count in m as they are read, so all are freed). */
static bool read_events(struct codec_in *in, struct trace_model *m)
{
	size_t n = codec_get_count(in, TRACE_EVENT_MIN_BYTES, TRACE_EVENTS_MAX);

	m->events = n ? xcalloc(n, sizeof(*m->events)) : NULL;
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct trace_event *e = &m->events[i];

		m->nevents++;
		e->time = codec_get_finite(in);
		e->pid = codec_get_u32(in);
		e->tid = codec_get_u32(in);
		codec_get_field(in, e->comm, sizeof(e->comm));
		e->probe_id = codec_get_u32(in);
		e->message = codec_get_text(in);
		e->nargs = (uint32_t)codec_get_count(in, 1, TRACE_MAX_ARGS);
		for (uint32_t a = 0; a < e->nargs; a++)
			e->args[a] = codec_get_varint(in);
	}
	return !in->bad;
}

int trace_model_decode(const void *data, size_t len, struct trace_model **out, char *why,
		       size_t why_len)
{
	struct trace_model *m = xcalloc(1, sizeof(*m));
	struct codec_in in;
	uint64_t version;

	*out = NULL;
	if (codec_in_begin(&in, data, len, TRACE_CODEC_VERSION, "trace", &version, why, why_len)) {
		trace_model_free(m);
		return -EPROTO;
	}
	m->interval_s = codec_get_finite(&in);
	m->lost = codec_get_varint(&in);
	m->polls = codec_get_varint(&in);
	m->vfs_active = codec_get_flag(&in);
	codec_get_field(&in, m->vfs_how, sizeof(m->vfs_how));
	for (int op = 0; op < TRACE_VFS_COUNT; op++)
		m->vfs[op] = codec_get_varint(&in);
	for (int op = 0; op < TRACE_VFS_COUNT; op++)
		for (int i = 0; i < TRACE_VFS_HISTORY; i++)
			m->vfs_history[op][i] = codec_get_varint(&in);
	if (in.bad || version == 0) {
		snprintf(why, why_len, "trace model: a bad header at byte %zu", in.pos);
		goto out_bad;
	}
	if (!read_probes(&in, m) || !read_events(&in, m)) {
		snprintf(why, why_len, "trace model: a bad probe or event at byte %zu", in.pos);
		goto out_bad;
	}
	if (codec_in_left(&in)) {
		snprintf(why, why_len, "trace model: %zu bytes left over at byte %zu",
			 codec_in_left(&in), in.pos);
		goto out_bad;
	}
	*out = m;
	return 0;
out_bad:
	trace_model_free(m);
	return -EBADMSG;
}
