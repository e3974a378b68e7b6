// SPDX-License-Identifier: GPL-2.0
#include "collectors/offcpu_codec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "util/xalloc.h"

#define OFFCPU_FLAG_RUNNABLE 1u
#define OFFCPU_FLAG_KTHREADS 2u

void offcpu_model_encode(struct stack_codec *c, const struct offcpu_model *m,
			 struct codec_out *out)
{
	codec_put_varint(out, OFFCPU_CODEC_VERSION);
	codec_put_varint(out, (m->runnable ? OFFCPU_FLAG_RUNNABLE : 0) |
				      (m->kthreads ? OFFCPU_FLAG_KTHREADS : 0));
	codec_put_double(out, m->interval_s);
	codec_put_double(out, m->cumulative_s);
	codec_put_varint(out, m->min_block_us);
	codec_put_varint(out, m->max_block_us);
	codec_put_varint(out, m->polls);
	stack_set_encode(c, &m->interval, out);
}

int offcpu_model_decode(const void *data, size_t len, struct offcpu_model **out, char *why,
			size_t why_len)
{
	struct offcpu_model *m = xcalloc(1, sizeof(*m));
	struct codec_in in;
	uint64_t version, flags;
	int err;

	*out = NULL;
	if (codec_in_begin(&in, data, len, OFFCPU_CODEC_VERSION, "off-CPU", &version, why,
			   why_len)) {
		offcpu_model_free(m);
		return -EPROTO;
	}
	flags = codec_get_varint(&in);
	m->runnable = flags & OFFCPU_FLAG_RUNNABLE;
	m->kthreads = flags & OFFCPU_FLAG_KTHREADS;
	m->interval_s = codec_get_double(&in);
	m->cumulative_s = codec_get_double(&in);
	m->min_block_us = codec_get_varint(&in);
	m->max_block_us = codec_get_varint(&in);
	m->polls = codec_get_varint(&in);
	if (in.bad || version == 0 || !isfinite(m->interval_s) || !isfinite(m->cumulative_s)) {
		snprintf(why, why_len, "off-CPU model: a bad header at byte %zu", in.pos);
		offcpu_model_free(m);
		return -EBADMSG;
	}
	err = stack_set_decode(&in, version, &m->interval, why, why_len);
	if (!err && codec_in_left(&in)) {
		snprintf(why, why_len, "off-CPU model: %zu bytes left over at byte %zu",
			 codec_in_left(&in), in.pos);
		err = -EBADMSG;
	}
	if (err) {
		offcpu_model_free(m);
		return err;
	}
	*out = m;
	return 0;
}
