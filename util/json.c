// SPDX-License-Identifier: GPL-2.0
/* A streaming JSON writer whose output is always valid JSON and valid UTF-8. */
#include "util/json.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xalloc.h"

/*
 * Containers nested deeper than JSON_MAX_DEPTH are written as null and everything inside
 * them is dropped, so the output stays balanced; j->depth still counts them.
 */

void json_init(struct json_out *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Whether the current position is inside a container too deep to write. */
static bool json_is_dropped(const struct json_out *j)
{
	return j->depth > JSON_MAX_DEPTH;
}

/* Write the comma a new value needs, if any; false when the value must be dropped. */
static bool json_value_start(struct json_out *j)
{
	if (json_is_dropped(j))
		return false;
	if (j->after_key) {
		j->after_key = false;
		return true;
	}
	if (j->depth > 0) {
		if (j->need_comma[j->depth - 1])
			putc_unlocked(',', j->f);
		j->need_comma[j->depth - 1] = true;
	}
	return true;
}

/* Open an object or array with the bracket c. */
static void json_container_begin(struct json_out *j, char c)
{
	if (!json_value_start(j)) {
		j->depth++;
		return;
	}
	if (j->depth == JSON_MAX_DEPTH) {
		fputs_unlocked("null", j->f);
		j->depth++;
		return;
	}
	putc_unlocked(c, j->f);
	j->need_comma[j->depth] = false;
	j->depth++;
}

/* Close the container opened last with the bracket c. */
static void json_container_end(struct json_out *j, char c)
{
	if (j->depth == 0)
		return;
	j->depth--;
	j->after_key = false;
	if (j->depth >= JSON_MAX_DEPTH)
		return;
	putc_unlocked(c, j->f);
}

void json_object_begin(struct json_out *j)
{
	json_container_begin(j, '{');
}

void json_object_end(struct json_out *j)
{
	json_container_end(j, '}');
}

void json_array_begin(struct json_out *j)
{
	json_container_begin(j, '[');
}

void json_array_end(struct json_out *j)
{
	json_container_end(j, ']');
}

/*
 * Write s as a quoted JSON string. Text in ktop's models is held escaped (util/escape.h): it is
 * written as the bytes it stands for, JSON-escaped, and bytes that are not valid UTF-8 become
 * U+FFFD, so a reader decodes what the traced process had.
 */
static void json_write_string(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char small[256];
	char *copy = NULL;
	const char *raw = s;
	size_t pos = 0, run = 0;

	/* Text without a backslash holds no escape to undo: it is written from where it is. */
	if (n && memchr(s, '\\', n)) {
		copy = n <= sizeof(small) ? small : xmalloc(n);
		n = escape_undo(copy, s, n);
		raw = copy;
	}
	putc_unlocked('"', f);
	while (pos < n) {
		unsigned char c = (unsigned char)raw[pos];
		uint32_t cp;
		size_t len;

		/* Printable ASCII but the quote and backslash: gathered, written in one go. */
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			pos++;
			run++;
			continue;
		}
		if (run)
			fwrite_unlocked(raw + pos - run, 1, run, f);
		run = 0;
		len = escape_utf8_decode(raw + pos, n - pos, &cp);
		if (!len) {
			fputs_unlocked("\\ufffd", f);
			pos++;
			continue;
		}
		switch (cp) {
		case '"':
			fputs_unlocked("\\\"", f);
			break;
		case '\\':
			fputs_unlocked("\\\\", f);
			break;
		case '\n':
			fputs_unlocked("\\n", f);
			break;
		case '\t':
			fputs_unlocked("\\t", f);
			break;
		case '\r':
			fputs_unlocked("\\r", f);
			break;
		case '\b':
			fputs_unlocked("\\b", f);
			break;
		case '\f':
			fputs_unlocked("\\f", f);
			break;
		default:
			/* \u decodes to the same text, but no control reaches a reader raw. */
			if (escape_cp_is_unsafe(cp))
				fprintf(f, "\\u%04" PRIx32, cp);
			else
				fwrite_unlocked(raw + pos, 1, len, f);
			break;
		}
		pos += len;
	}
	if (run)
		fwrite_unlocked(raw + pos - run, 1, run, f);
	putc_unlocked('"', f);
	if (copy && copy != small)
		free(copy);
}

void json_key(struct json_out *j, const char *key)
{
	if (json_is_dropped(j))
		return;
	if (j->depth > 0) {
		if (j->need_comma[j->depth - 1])
			putc_unlocked(',', j->f);
		j->need_comma[j->depth - 1] = true;
	}
	json_write_string(j->f, key);
	putc_unlocked(':', j->f);
	j->after_key = true;
}

void json_str(struct json_out *j, const char *s)
{
	if (json_value_start(j))
		json_write_string(j->f, s);
}

/* The decimal digits of v, written backwards from end; where they start. */
static char *json_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void json_u64(struct json_out *j, uint64_t v)
{
	char buf[24], *p;

	if (!json_value_start(j))
		return;
	p = json_digits(buf + sizeof(buf), v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), j->f);
}

void json_i64(struct json_out *j, int64_t v)
{
	if (json_value_start(j))
		fprintf(j->f, "%" PRId64, v);
}

#define JSON_FAST_DECIMALS 6
#define JSON_FAST_LIMIT	   1e13 /* |v| * 10^decimals below this is within 0.001 of exact */
#define JSON_FAST_TIE	   0.01 /* closer than this to a half, printf decides the rounding */

/*
 * Print v with decimals digits (at most JSON_FAST_DECIMALS) after a '.' from integers,
 * without printf, as printf would; false when v is too large for that, or so near a
 * rounding tie that only printf's exact decimal expansion can round it.
 */
static bool json_write_fixed(FILE *f, double v, int decimals)
{
	static const uint64_t pow10[JSON_FAST_DECIMALS + 1] = { 1,     10,     100,    1000,
								10000, 100000, 1000000 };
	double a = fabs(v), x;
	char buf[48], *p, *end = buf + sizeof(buf);
	uint64_t scaled, whole, frac;

	if (decimals < 0 || decimals > JSON_FAST_DECIMALS)
		return false;
	x = a * (double)pow10[decimals];
	if (x >= JSON_FAST_LIMIT || fabs(x - floor(x) - 0.5) < JSON_FAST_TIE)
		return false;
	scaled = (uint64_t)rint(x);
	whole = scaled / pow10[decimals];
	frac = scaled % pow10[decimals];
	p = end;
	for (int i = 0; i < decimals; i++) {
		*--p = (char)('0' + frac % 10);
		frac /= 10;
	}
	if (decimals)
		*--p = '.';
	p = json_digits(p, whole);
	if (signbit(v))
		*--p = '-';
	fwrite_unlocked(p, 1, (size_t)(end - p), f);
	return true;
}

/* Print v with decimals digits after a '.', whatever LC_NUMERIC says the point is. */
static void json_write_double(FILE *f, double v, int decimals)
{
	const char *point = localeconv()->decimal_point;
	size_t plen = point ? strlen(point) : 0;
	char buf[400];
	char *p;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (plen && strcmp(point, ".") != 0) {
		p = strstr(buf, point);
		if (p) {
			*p = '.';
			memmove(p + 1, p + plen, strlen(p + plen) + 1);
		}
	}
	fputs(buf, f);
}

void json_double(struct json_out *j, double v, int decimals)
{
	if (!json_value_start(j))
		return;
	if (!isfinite(v))
		fputs_unlocked("null", j->f);
	else if (!json_write_fixed(j->f, v, decimals))
		json_write_double(j->f, v, decimals);
}

void json_bool(struct json_out *j, bool v)
{
	if (json_value_start(j))
		fputs_unlocked(v ? "true" : "false", j->f);
}

void json_null(struct json_out *j)
{
	if (json_value_start(j))
		fputs_unlocked("null", j->f);
}

void json_kv_str(struct json_out *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_u64(struct json_out *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_double(struct json_out *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	json_double(j, v, decimals);
}

void json_kv_bool(struct json_out *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
