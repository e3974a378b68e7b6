// SPDX-License-Identifier: GPL-2.0
#include "core/prom.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xalloc.h"

void prom_buf_init(struct prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void prom_buf_free(struct prom_buf *b)
{
	free(b->data);
	prom_buf_init(b);
}

char *prom_buf_take(struct prom_buf *b, size_t *len)
{
	char *data = b->data ? b->data : xstrdup("");

	*len = b->len;
	prom_buf_init(b);
	return data;
}

/* Room for n more bytes and the NUL. */
static void buf_reserve(struct prom_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;

	if (b->len + n + 1 <= b->cap)
		return;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

/* Append n bytes. */
static void buf_put(struct prom_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a string. */
static void buf_puts(struct prom_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* Append printf-formatted text: in the room there is, else again after growing. */
__attribute__((format(printf, 2, 3))) static void buf_printf(struct prom_buf *b, const char *fmt,
							     ...)
{
	size_t room;
	va_list ap;
	int n;

	buf_reserve(b, 64);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void prom_escape_value(struct prom_buf *b, const char *value)
{
	size_t n = strlen(value);

	for (size_t i = 0; i < n;) {
		size_t run = i, k;
		uint32_t cp;

		/* plain ASCII goes out as it is, a run at a time */
		while (run < n && (unsigned char)value[run] < 0x80 && value[run] != '\\' &&
		       value[run] != '"' && value[run] != '\n')
			run++;
		if (run > i) {
			buf_put(b, value + i, run - i);
			i = run;
			continue;
		}
		k = escape_utf8_decode(value + i, n - i, &cp);
		if (!k) {
			buf_put(b, "?", 1);
			i++;
			continue;
		}
		if (value[i] == '\\')
			buf_put(b, "\\\\", 2);
		else if (value[i] == '"')
			buf_put(b, "\\\"", 2);
		else if (value[i] == '\n')
			buf_put(b, "\\n", 2);
		else
			buf_put(b, value + i, k);
		i += k;
	}
}

/* HELP text escaped by its rules: \\ and \n. */
static void escape_help(struct prom_buf *b, const char *help)
{
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			buf_puts(b, "\\\\");
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else
			buf_put(b, p, 1);
	}
}

void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s ", name);
	escape_help(b, help);
	buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

/* The labels of a series escaped once, "a=\"x\",b=\"y\"", for the lines of a histogram. */
static void put_labels(struct prom_buf *b, const struct prom_label *l, size_t nl)
{
	for (size_t i = 0; i < nl; i++) {
		buf_printf(b, "%s%s=\"", i ? "," : "", l[i].name);
		prom_escape_value(b, l[i].value ? l[i].value : "");
		buf_put(b, "\"", 1);
	}
}

/* name{a="x",b="y"} with the trailing space; no braces when there is no label. */
static void put_series(struct prom_buf *b, const char *name, const char *suffix,
		       const struct prom_label *l, size_t nl)
{
	buf_puts(b, name);
	if (suffix)
		buf_puts(b, suffix);
	if (nl) {
		buf_put(b, "{", 1);
		put_labels(b, l, nl);
		buf_put(b, "}", 1);
	}
	buf_put(b, " ", 1);
}

void prom_sample_u64(struct prom_buf *b, const char *name, const struct prom_label *l, size_t nl,
		     uint64_t value)
{
	put_series(b, name, NULL, l, nl);
	buf_printf(b, "%" PRIu64 "\n", value);
}

void prom_sample_f64(struct prom_buf *b, const char *name, const struct prom_label *l, size_t nl,
		     double value)
{
	put_series(b, name, NULL, l, nl);
	buf_printf(b, "%.15g\n", value);
}

/* A decimal with no trailing zeros: the bucket bounds in seconds are exact in 6 decimals. */
static void format_bound(char *buf, size_t len, double v)
{
	char *end;

	snprintf(buf, len, "%.6f", v);
	end = buf + strlen(buf) - 1;
	while (end > buf && *end == '0')
		*end-- = '\0';
	if (*end == '.')
		*end = '\0';
}

/* One bucket line: name_bucket{labels,le="le"} count. */
static void put_bucket(struct prom_buf *b, const char *name, const struct prom_buf *labels,
		       const char *le, uint64_t count)
{
	buf_puts(b, name);
	buf_puts(b, "_bucket{");
	if (labels->len) {
		buf_put(b, labels->data, labels->len);
		buf_put(b, ",", 1);
	}
	buf_printf(b, "le=\"%s\"} %" PRIu64 "\n", le, count);
}

void prom_hist(struct prom_buf *b, const char *name, const struct prom_label *l, size_t nl,
	       const struct hist *h, enum prom_hist_unit unit)
{
	uint64_t cum = 0, count = 0;
	struct prom_buf labels;
	char le[32];

	prom_buf_init(&labels);
	put_labels(&labels, l, nl);
	for (unsigned int k = 0; k < HIST_SLOTS; k++)
		count += h->slots[k];
	/* the last slot also holds everything larger: only +Inf bounds it */
	for (unsigned int k = 0; k + 1 < HIST_SLOTS; k++) {
		cum += h->slots[k];
		if (unit == PROM_HIST_USECS)
			format_bound(le, sizeof(le), (double)(hist_slot_high(k) + 1) / 1e6);
		else
			snprintf(le, sizeof(le), "%" PRIu64, hist_slot_high(k));
		put_bucket(b, name, &labels, le, cum);
	}
	put_bucket(b, name, &labels, "+Inf", count);
	prom_buf_free(&labels);
	put_series(b, name, "_sum", l, nl);
	if (unit == PROM_HIST_USECS)
		buf_printf(b, "%.15g\n", (double)h->sum / 1e6);
	else
		buf_printf(b, "%" PRIu64 "\n", h->sum);
	put_series(b, name, "_count", l, nl);
	buf_printf(b, "%" PRIu64 "\n", count);
}
