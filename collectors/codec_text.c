// SPDX-License-Identifier: GPL-2.0
#include "collectors/codec_text.h"

#include <math.h>
#include <string.h>

#include "util/escape.h"
#include "util/xalloc.h"

char *codec_get_text(struct codec_in *in)
{
	uint64_t len = codec_get_varint(in);
	const uint8_t *p = in->bad || len > CODEC_TEXT_MAX ? NULL : codec_get_bytes(in, len);
	char *s;

	if (!p) {
		in->bad = true;
		return xstrdup("");
	}
	if (escape_is_clean((const char *)p, len)) {
		s = xmalloc(len + 1);
		memcpy(s, p, len);
		s[len] = '\0';
		return s;
	}
	s = xmalloc(len * 4 + 1);
	escape_text(s, len * 4 + 1, (const char *)p, len);
	return s;
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
