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
			fputc(',', j->f);
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
		fputs("null", j->f);
		j->depth++;
		return;
	}
	fputc(c, j->f);
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
	fputc(c, j->f);
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
	char *raw = n <= sizeof(small) ? small : xmalloc(n);
	size_t pos = 0;

	n = escape_undo(raw, s, n);
	fputc('"', f);
	while (pos < n) {
		uint32_t cp;
		size_t len;

		len = escape_utf8_decode(raw + pos, n - pos, &cp);
		if (!len) {
			fputs("\\ufffd", f);
			pos++;
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			/* \u decodes to the same text, but no control reaches a reader raw. */
			if (escape_cp_is_unsafe(cp))
				fprintf(f, "\\u%04" PRIx32, cp);
			else
				fwrite(raw + pos, 1, len, f);
			break;
		}
		pos += len;
	}
	fputc('"', f);
	if (raw != small)
		free(raw);
}

void json_key(struct json_out *j, const char *key)
{
	if (json_is_dropped(j))
		return;
	if (j->depth > 0) {
		if (j->need_comma[j->depth - 1])
			fputc(',', j->f);
		j->need_comma[j->depth - 1] = true;
	}
	json_write_string(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void json_str(struct json_out *j, const char *s)
{
	if (json_value_start(j))
		json_write_string(j->f, s);
}

void json_u64(struct json_out *j, uint64_t v)
{
	if (json_value_start(j))
		fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json_out *j, int64_t v)
{
	if (json_value_start(j))
		fprintf(j->f, "%" PRId64, v);
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
		fputs("null", j->f);
	else
		json_write_double(j->f, v, decimals);
}

void json_bool(struct json_out *j, bool v)
{
	if (json_value_start(j))
		fputs(v ? "true" : "false", j->f);
}

void json_null(struct json_out *j)
{
	if (json_value_start(j))
		fputs("null", j->f);
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
