// SPDX-License-Identifier: GPL-2.0
#include "collectors/codec_text.h"

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
