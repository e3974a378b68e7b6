// SPDX-License-Identifier: GPL-2.0
#include "collectors/bio_codec.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/codec_fields.h"
#include "util/xalloc.h"

#define BIO_FLAG_FILTERED 1u

/* A disk is at least its dev, name, gone and each operation's 3 empty histograms and counters. */
#define DISK_MIN_BYTES (3 + BIO_OP_COUNT * (3 * 3 + 3))
#define PROC_MIN_BYTES 6

static void put_stats(struct codec_out *out, const struct bio_stats *st)
{
	codec_put_hist(out, &st->lat_device);
	codec_put_hist(out, &st->lat_total);
	codec_put_hist(out, &st->size);
	codec_put_varint(out, st->ios);
	codec_put_varint(out, st->bytes);
	codec_put_varint(out, st->slow);
}

void bio_model_encode(const struct bio_model *m, struct codec_out *out)
{
	const struct bio_span *s = &m->interval;

	codec_put_varint(out, BIO_CODEC_VERSION);
	codec_put_varint(out, m->pid_filtered ? BIO_FLAG_FILTERED : 0);
	codec_put_varint(out, m->slow_us);
	codec_put_varint(out, m->polls);
	codec_put_double(out, s->seconds);
	codec_put_varint(out, s->unknown_submitter);
	codec_put_varint(out, s->ndisks);
	for (size_t i = 0; i < s->ndisks; i++) {
		const struct bio_disk *d = &s->disks[i];

		codec_put_varint(out, d->dev);
		codec_put_field(out, d->name, sizeof(d->name));
		codec_put_bytes(out, &(uint8_t){ d->gone }, 1);
		for (int op = 0; op < BIO_OP_COUNT; op++)
			put_stats(out, &d->op[op]);
	}
	codec_put_varint(out, s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct bio_proc *p = &s->procs[i];

		codec_put_varint(out, p->pid);
		codec_put_varint(out, p->dev);
		codec_put_field(out, p->comm, sizeof(p->comm));
		codec_put_varint(out, p->ios);
		codec_put_varint(out, p->bytes);
		codec_put_varint(out, p->lat_us_sum);
	}
}

static void get_stats(struct codec_in *in, struct bio_stats *st)
{
	codec_get_hist(in, &st->lat_device);
	codec_get_hist(in, &st->lat_total);
	codec_get_hist(in, &st->size);
	st->ios = codec_get_varint(in);
	st->bytes = codec_get_varint(in);
	st->slow = codec_get_varint(in);
}

int bio_model_decode(const void *data, size_t len, struct bio_model **out, char *why,
		     size_t why_len)
{
	struct bio_model *m = xcalloc(1, sizeof(*m));
	struct bio_span *s = &m->interval;
	struct codec_in in;
	uint64_t version;

	*out = NULL;
	if (codec_in_begin(&in, data, len, BIO_CODEC_VERSION, "block I/O", &version, why,
			   why_len)) {
		bio_model_free(m);
		return -EPROTO;
	}
	m->pid_filtered = codec_get_varint(&in) & BIO_FLAG_FILTERED;
	m->slow_us = codec_get_varint(&in);
	m->polls = codec_get_varint(&in);
	s->seconds = codec_get_double(&in);
	/* rates are per second of it: a span shorter than a millisecond is damage */
	if (!isfinite(s->seconds) || s->seconds < 0 || s->seconds > 1e7 ||
	    (s->seconds > 0 && s->seconds < 1e-3))
		in.bad = true;
	s->unknown_submitter = codec_get_varint(&in);
	s->ndisks = codec_get_count(&in, DISK_MIN_BYTES, SIZE_MAX);
	s->disks = s->ndisks ? xcalloc(s->ndisks, sizeof(*s->disks)) : NULL;
	for (size_t i = 0; i < s->ndisks && !in.bad; i++) {
		struct bio_disk *d = &s->disks[i];

		d->dev = codec_get_u32(&in);
		codec_get_field(&in, d->name, sizeof(d->name));
		d->gone = codec_get_u8(&in) != 0;
		for (int op = 0; op < BIO_OP_COUNT; op++)
			get_stats(&in, &d->op[op]);
	}
	if (!in.bad) {
		s->nprocs = codec_get_count(&in, PROC_MIN_BYTES, SIZE_MAX);
		s->procs = s->nprocs ? xcalloc(s->nprocs, sizeof(*s->procs)) : NULL;
	}
	for (size_t i = 0; i < s->nprocs && !in.bad; i++) {
		struct bio_proc *p = &s->procs[i];

		p->pid = codec_get_u32(&in);
		p->dev = codec_get_u32(&in);
		codec_get_field(&in, p->comm, sizeof(p->comm));
		p->ios = codec_get_varint(&in);
		p->bytes = codec_get_varint(&in);
		p->lat_us_sum = codec_get_varint(&in);
	}
	if (in.bad || version == 0) {
		snprintf(why, why_len, "block I/O model: damaged at byte %zu", in.pos);
		bio_model_free(m);
		return -EBADMSG;
	}
	if (codec_in_left(&in)) {
		snprintf(why, why_len, "block I/O model: %zu bytes left over at byte %zu",
			 codec_in_left(&in), in.pos);
		bio_model_free(m);
		return -EBADMSG;
	}
	*out = m;
	return 0;
}
