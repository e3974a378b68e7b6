// SPDX-License-Identifier: GPL-2.0
#include "util/fingerprint.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* An output buffer that never overflows and stays NUL-terminated. */
struct out {
	char *buf;
	size_t len;
	size_t n;
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n++] = c;
	if (o->len)
		o->buf[o->n] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	while (*s)
		put(o, *s++);
}

/* The last character written, or 0. */
static char last(const struct out *o)
{
	return o->n ? o->buf[o->n - 1] : 0;
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Skip a quoted literal starting at s (its quote); returns the first character after it. */
static const char *skip_quoted(const char *s)
{
	char q = *s++;

	while (*s) {
		if (*s == '\\' && s[1] && q != '"') {
			s += 2;
			continue;
		}
		if (*s == q) {
			if (s[1] == q) { /* a doubled quote inside */
				s += 2;
				continue;
			}
			return s + 1;
		}
		s++;
	}
	return s;
}

/* Skip a number (decimal, hex, float with exponent); returns the first character after it. */
static const char *skip_number(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		while (isxdigit((unsigned char)*s))
			s++;
		return s;
	}
	while (isdigit((unsigned char)*s) || *s == '.')
		s++;
	if ((*s == 'e' || *s == 'E') &&
	    (isdigit((unsigned char)s[1]) ||
	     ((s[1] == '-' || s[1] == '+') && isdigit((unsigned char)s[2]))))
		for (s += 2; isdigit((unsigned char)*s); s++)
			;
	return s;
}

/* Skip a comment at s if there is one ("-- ", "#", C-style); returns where it ends, or s. */
static const char *skip_comment(const char *s)
{
	if ((s[0] == '-' && s[1] == '-') || s[0] == '#') {
		while (*s && *s != '\n')
			s++;
		return s;
	}
	if (s[0] == '/' && s[1] == '*') {
		const char *end = strstr(s + 2, "*/");

		return end ? end + 2 : s + strlen(s);
	}
	return s;
}

/* Whether the output ends with word (case-insensitive, as a whole word) before spaces. */
static bool ends_with_word(const struct out *o, const char *word)
{
	size_t n = o->n, w = strlen(word);

	while (n && o->buf[n - 1] == ' ')
		n--;
	if (n < w || strncasecmp(o->buf + n - w, word, w))
		return false;
	return n == w || !is_ident(o->buf[n - w - 1]);
}

/*
 * At an opening parenthesis after IN or VALUES: if it holds only literals and commas, write
 * "(?)" and skip it (and, for VALUES, the tuples that follow); returns the new position or
 * NULL when the list is not all literals.
 */
static const char *collapse_list(const char *s, struct out *o, bool values)
{
	const char *p = s;

	for (;;) {
		if (*p != '(')
			return NULL;
		for (p++;;) {
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '\'' || *p == '"')
				p = skip_quoted(p);
			else if (isdigit((unsigned char)*p) ||
				 ((*p == '-' || *p == '.') && isdigit((unsigned char)p[1])))
				p = skip_number(p + (*p == '-'));
			else if (!strncasecmp(p, "null", 4) && !is_ident(p[4]))
				p += 4;
			else
				return NULL;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p != ')')
				return NULL;
			p++;
			break;
		}
		if (!values)
			break;
		/* more tuples: ", (...)" */
		{
			const char *q = p;

			while (isspace((unsigned char)*q))
				q++;
			if (*q != ',')
				break;
			q++;
			while (isspace((unsigned char)*q))
				q++;
			if (*q != '(')
				break;
			p = q;
		}
	}
	put_str(o, "(?)");
	return p;
}

/* The one walk behind both functions: normalize (fingerprint) or only hide literals. */
static size_t walk(const char *sql, char *buf, size_t len, bool normalize)
{
	struct out o = {buf, len, 0};
	const char *s = sql;

	if (len)
		buf[0] = '\0';
	while (*s) {
		const char *next;
		char c = *s;

		if (normalize && (next = skip_comment(s)) != s) {
			s = next;
			continue;
		}
		if (normalize && isspace((unsigned char)c)) {
			if (o.n && last(&o) != ' ')
				put(&o, ' ');
			s++;
			continue;
		}
		if (c == '\'' || (c == '"' && normalize)) {
			put(&o, '?');
			s = skip_quoted(s);
			continue;
		}
		if (isdigit((unsigned char)c) && !is_ident(last(&o))) {
			/* a negative number: "- 5" after an operator stays one literal */
			put(&o, '?');
			s = skip_number(s);
			continue;
		}
		if (normalize && c == '(' &&
		    (ends_with_word(&o, "in") || ends_with_word(&o, "values"))) {
			next = collapse_list(s, &o, ends_with_word(&o, "values"));
			if (next) {
				s = next;
				continue;
			}
		}
		if (normalize && is_ident(c)) {
			while (is_ident(*s))
				put(&o, (char)tolower((unsigned char)*s++));
			continue;
		}
		put(&o, c);
		s++;
	}
	while (normalize && o.n && (last(&o) == ' ' || last(&o) == ';'))
		o.buf[--o.n] = '\0';
	return o.n;
}

size_t fingerprint_sql(const char *sql, char *out, size_t out_len)
{
	return walk(sql, out, out_len, true);
}

size_t fingerprint_redact(const char *sql, char *out, size_t out_len)
{
	return walk(sql, out, out_len, false);
}
