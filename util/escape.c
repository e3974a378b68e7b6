// SPDX-License-Identifier: GPL-2.0
/* Escaping of untrusted text (comm, query text, file names) before it reaches a terminal. */
#include "util/escape.h"

#include <string.h>

/* The longest output of one input unit: a 4-byte sequence escaped byte by byte. */
#define ESCAPE_UNIT_MAX 16

static const char escape_hex[] = "0123456789abcdef";

/* Write "\xNN" for byte b into out; returns 4. */
static size_t escape_byte(char *out, unsigned char b)
{
	out[0] = '\\';
	out[1] = 'x';
	out[2] = escape_hex[b >> 4];
	out[3] = escape_hex[b & 0xf];
	return 4;
}

size_t escape_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t c;

	if (!n)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	} else if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
		if (u[0] == 0xe0)
			lo = 0xa0; /* below is overlong */
		else if (u[0] == 0xed)
			hi = 0x9f; /* above are the surrogates U+D800-U+DFFF */
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
		if (u[0] == 0xf0)
			lo = 0x90; /* below is overlong */
		else if (u[0] == 0xf4)
			hi = 0x8f; /* above is past U+10FFFF */
	} else {
		return 0; /* a continuation byte, 0xc0/0xc1 (always overlong) or 0xf5-0xff */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (u[i] < lo || u[i] > hi)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return len;
}

bool escape_cp_is_unsafe(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return true;
	/* Line separators and bidi overrides/isolates can make shown text lie about itself. */
	if (cp == 0x2028 || cp == 0x2029)
		return true;
	if (cp >= 0x202a && cp <= 0x202e)
		return true;
	if (cp >= 0x2066 && cp <= 0x2069)
		return true;
	return false;
}

/* Escape the unit at s (at most n bytes) into out; sets *used to the bytes consumed. */
static size_t escape_unit(char *out, const char *s, size_t n, size_t *used)
{
	uint32_t cp;
	size_t len, i, o = 0;

	len = escape_utf8_decode(s, n, &cp);
	if (!len) {
		/* Only the first byte: the bytes after it are judged again on their own. */
		*used = 1;
		return escape_byte(out, (unsigned char)s[0]);
	}
	*used = len;
	if (escape_cp_is_unsafe(cp)) {
		for (i = 0; i < len; i++)
			o += escape_byte(out + o, (unsigned char)s[i]);
		return o;
	}
	if (cp == '\\') {
		out[0] = '\\';
		out[1] = '\\';
		return 2;
	}
	memcpy(out, s, len);
	return len;
}

size_t escape_text(char *dst, size_t dst_size, const char *src, size_t src_len)
{
	char unit[ESCAPE_UNIT_MAX];
	size_t cap, len = 0, mark = 0, pos = 0;

	if (!dst_size)
		return 0;
	cap = dst_size - 1;
	if (!src)
		src_len = 0;
	while (pos < src_len) {
		size_t used, ulen;

		ulen = escape_unit(unit, src + pos, src_len - pos, &used);
		if (ulen > cap - len) {
			/* Cut at the last unit boundary that leaves room for "...", if any. */
			if (cap >= 3) {
				memcpy(dst + mark, "...", 3);
				len = mark + 3;
			}
			break;
		}
		memcpy(dst + len, unit, ulen);
		len += ulen;
		pos += used;
		if (cap >= 3 && len <= cap - 3)
			mark = len;
	}
	dst[len] = '\0';
	return len;
}

size_t escape_cstr(char *dst, size_t dst_size, const char *src, size_t max)
{
	return escape_text(dst, dst_size, src, src ? strnlen(src, max) : 0);
}

/* The value of a hex digit, or -1. */
static int escape_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t escape_undo(char *dst, const char *src, size_t n)
{
	size_t len = 0, pos = 0;

	while (pos < n) {
		int hi, lo;

		if (src[pos] == '\\' && pos + 1 < n && src[pos + 1] == '\\') {
			dst[len++] = '\\';
			pos += 2;
			continue;
		}
		if (src[pos] == '\\' && pos + 3 < n && src[pos + 1] == 'x' &&
		    (hi = escape_hex_value(src[pos + 2])) >= 0 &&
		    (lo = escape_hex_value(src[pos + 3])) >= 0) {
			dst[len++] = (char)(hi << 4 | lo);
			pos += 4;
			continue;
		}
		dst[len++] = src[pos++];
	}
	return len;
}

bool escape_is_clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = escape_utf8_decode(s + i, n - i, &cp);

		if (!len || escape_cp_is_unsafe(cp))
			return false;
		i += len;
	}
	return true;
}
