// SPDX-License-Identifier: GPL-2.0
#include "collectors/model_codec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void codec_out_clear(struct codec_out *o)
{
	o->len = 0;
}

void codec_out_free(struct codec_out *o)
{
	free(o->data);
	memset(o, 0, sizeof(*o));
}

/* Room for n more bytes. */
static uint8_t *out_room(struct codec_out *o, size_t n)
{
	if (o->cap - o->len < n) {
		size_t cap = o->cap ? o->cap : 1024;

		while (cap - o->len < n)
			cap *= 2;
		o->data = xreallocarray(o->data, cap, 1);
		o->cap = cap;
	}
	return o->data + o->len;
}

void codec_put_bytes(struct codec_out *o, const void *p, size_t n)
{
	if (!n)
		return;
	memcpy(out_room(o, n), p, n);
	o->len += n;
}

void codec_put_varint(struct codec_out *o, uint64_t v)
{
	uint8_t *p = out_room(o, 10);
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	o->len += n;
}

void codec_put_u64(struct codec_out *o, uint64_t v)
{
	uint8_t *p = out_room(o, 8);

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	o->len += 8;
}

void codec_put_double(struct codec_out *o, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	codec_put_u64(o, bits);
}

void codec_put_str(struct codec_out *o, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	codec_put_varint(o, n);
	codec_put_bytes(o, s, n);
}

void codec_in_init(struct codec_in *in, const void *data, size_t len)
{
	in->data = data;
	in->len = len;
	in->pos = 0;
	in->bad = false;
}

int codec_in_begin(struct codec_in *in, const void *data, size_t len, uint64_t max,
		   const char *what, uint64_t *version, char *why, size_t why_len)
{
	codec_in_init(in, data, len);
	*version = codec_get_varint(in);
	if (!in->bad && *version > max) {
		snprintf(why, why_len, "%s model of version %llu (this ktop reads %llu)", what,
			 (unsigned long long)*version, (unsigned long long)max);
		return -EPROTO;
	}
	return 0;
}

uint64_t codec_get_varint(struct codec_in *in)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (in->pos >= in->len)
			break;
		b = in->data[in->pos++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	in->bad = true;
	in->pos = in->len;
	return 0;
}

const uint8_t *codec_get_bytes(struct codec_in *in, size_t n)
{
	const uint8_t *p;

	if (in->bad || in->len - in->pos < n) {
		in->bad = true;
		in->pos = in->len;
		return NULL;
	}
	p = in->data + in->pos;
	in->pos += n;
	return p;
}

uint64_t codec_get_u64(struct codec_in *in)
{
	const uint8_t *p = codec_get_bytes(in, 8);
	uint64_t v = 0;

	for (int i = 0; p && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

double codec_get_double(struct codec_in *in)
{
	uint64_t bits = codec_get_u64(in);
	double v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

uint8_t codec_get_u8(struct codec_in *in)
{
	const uint8_t *p = codec_get_bytes(in, 1);

	return p ? *p : 0;
}

size_t codec_in_left(const struct codec_in *in)
{
	return in->len - in->pos;
}

bool codec_get_flag(struct codec_in *in)
{
	uint8_t b = codec_get_u8(in);

	if (b > 1)
		in->bad = true;
	return b == 1;
}

uint32_t codec_get_u32(struct codec_in *in)
{
	uint64_t v = codec_get_varint(in);

	if (v > UINT32_MAX)
		in->bad = true;
	return (uint32_t)v;
}

double codec_get_finite(struct codec_in *in)
{
	double v = codec_get_double(in);

	if (!isfinite(v)) {
		in->bad = true;
		return 0;
	}
	return v;
}

size_t codec_get_count(struct codec_in *in, size_t min, size_t max)
{
	uint64_t n = codec_get_varint(in);

	if (in->bad || n > max || n > codec_in_left(in) / min) {
		in->bad = true;
		return 0;
	}
	return (size_t)n;
}
