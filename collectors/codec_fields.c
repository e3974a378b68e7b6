// SPDX-License-Identifier: GPL-2.0
#include "collectors/codec_fields.h"

#include <string.h>

#include "util/escape.h"

void codec_put_field(struct codec_out *out, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	codec_put_varint(out, n);
	codec_put_bytes(out, s, n);
}

void codec_get_field(struct codec_in *in, char *dst, size_t size)
{
	uint64_t len = codec_get_varint(in);
	const uint8_t *p = in->bad || len >= size ? NULL : codec_get_bytes(in, len);

	dst[0] = '\0';
	if (!p) {
		in->bad = true;
		return;
	}
	if (escape_is_clean((const char *)p, len)) {
		memcpy(dst, p, len);
		dst[len] = '\0';
	} else {
		escape_text(dst, size, (const char *)p, len);
	}
}

void codec_put_hist(struct codec_out *out, const struct hist *h)
{
	unsigned int n = HIST_SLOTS;

	while (n && !h->slots[n - 1])
		n--;
	codec_put_varint(out, n);
	for (unsigned int i = 0; i < n; i++)
		codec_put_varint(out, h->slots[i]);
	codec_put_varint(out, h->count);
	codec_put_varint(out, h->sum);
}

void codec_get_hist(struct codec_in *in, struct hist *h)
{
	uint64_t n = codec_get_varint(in);

	memset(h, 0, sizeof(*h));
	if (n > HIST_SLOTS) {
		in->bad = true;
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		h->slots[i] = codec_get_varint(in);
	h->count = codec_get_varint(in);
	h->sum = codec_get_varint(in);
}
