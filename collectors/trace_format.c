// SPDX-License-Identifier: GPL-2.0
/* Trace event messages: a probe's format filled in, everything from the traced side escaped. */
#include "collectors/trace_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/escape.h"

#define TRACE_CUT_MARK "..."

/* Text being built in a caller's buffer; pos stops at the end, which keeps the NUL. */
struct trace_out {
	char *buf;
	size_t len;
	size_t pos;
};

/* Append n bytes as they are (text already safe to show). */
static void trace_put(struct trace_out *o, const char *s, size_t n)
{
	size_t room = o->len - o->pos - 1;

	if (n > room)
		n = room;
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

/* Append n bytes from the traced side (or the user's format), escaped. */
static void trace_put_escaped(struct trace_out *o, const char *s, size_t n)
{
	o->pos += escape_text(o->buf + o->pos, o->len - o->pos, s, n);
}

/* Append one value as its conversion says. */
static void trace_put_value(struct trace_out *o, enum trace_conv conv, const struct trace_value *v)
{
	char num[32];
	int n = 0;
	char ch;

	if (conv == TRACE_CONV_S) {
		if (v->unreadable || !v->str) {
			const char *t = v->unreadable && !v->raw ? "(null)" : "(unreadable)";

			trace_put(o, t, strlen(t));
			return;
		}
		trace_put_escaped(o, v->str, v->str_len);
		if (v->truncated)
			trace_put(o, TRACE_CUT_MARK, strlen(TRACE_CUT_MARK));
		return;
	}
	if (v->unreadable) {
		trace_put(o, "?", 1);
		return;
	}
	switch (conv) {
	case TRACE_CONV_D:
		n = snprintf(num, sizeof(num), "%" PRId32, (int32_t)v->raw);
		break;
	case TRACE_CONV_U:
		n = snprintf(num, sizeof(num), "%" PRIu32, (uint32_t)v->raw);
		break;
	case TRACE_CONV_X:
		n = snprintf(num, sizeof(num), "%" PRIx32, (uint32_t)v->raw);
		break;
	case TRACE_CONV_LD:
		n = snprintf(num, sizeof(num), "%" PRId64, (int64_t)v->raw);
		break;
	case TRACE_CONV_LU:
		n = snprintf(num, sizeof(num), "%" PRIu64, v->raw);
		break;
	case TRACE_CONV_LLX:
		n = snprintf(num, sizeof(num), "%" PRIx64, v->raw);
		break;
	case TRACE_CONV_P:
		n = snprintf(num, sizeof(num), "0x%" PRIx64, v->raw);
		break;
	case TRACE_CONV_C:
		ch = (char)v->raw;
		trace_put_escaped(o, &ch, 1);
		return;
	case TRACE_CONV_S:
		break;
	}
	trace_put(o, num, n > 0 ? (size_t)n : 0);
}

size_t trace_format_message(const struct trace_spec *s, const struct trace_value *vals,
			    size_t nvals, char *buf, size_t len)
{
	struct trace_out o = { buf, len, 0 };
	const char *f = s->format;
	const char *lit = f;
	size_t arg = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (!s->has_format)
		return 0;
	while (*f) {
		if (*f != '%') {
			f++;
			continue;
		}
		trace_put_escaped(&o, lit, (size_t)(f - lit));
		if (f[1] == '%') {
			trace_put(&o, "%", 1);
			f += 2;
		} else {
			/* The parser accepted the format: skip the conversion's letters. */
			f++;
			while (*f == 'l')
				f++;
			if (*f)
				f++;
			if (arg < s->nargs && arg < nvals)
				trace_put_value(&o, s->convs[arg], &vals[arg]);
			else
				trace_put(&o, "?", 1);
			arg++;
		}
		lit = f;
	}
	trace_put_escaped(&o, lit, (size_t)(f - lit));
	return o.pos;
}
