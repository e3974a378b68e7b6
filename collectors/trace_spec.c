// SPDX-License-Identifier: GPL-2.0
/* Trace probe specs and tracepoint format descriptions: parsed and checked, nothing opened. */
#include "collectors/trace_spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/trace.h"

_Static_assert(TRACE_SPEC_ARGS == TRACE_ARGS_MAX, "bpf/trace.h and trace_spec.h disagree");
_Static_assert((int)TRACE_SPEC_CMP_EQ == (int)TRACE_CMP_EQ &&
		       (int)TRACE_SPEC_CMP_GE == (int)TRACE_CMP_GE,
	       "enum trace_spec_cmp and enum trace_cmp disagree");

#define TRACE_CONV_HINT "use %%d %%u %%x %%ld %%lu %%llx %%s %%c %%p"
#define TRACE_INT_CONVS "%%d, %%u, %%x, %%ld, %%lu, %%llx, %%c or %%p"

/* The conversions, longest first so that "%llx" is not read as "%l" and "lx". */
static const struct {
	const char *text;
	enum trace_conv conv;
} trace_convs[] = {
	{ "llx", TRACE_CONV_LLX }, { "lld", TRACE_CONV_LD }, { "llu", TRACE_CONV_LU },
	{ "lx", TRACE_CONV_LLX },  { "ld", TRACE_CONV_LD },  { "lu", TRACE_CONV_LU },
	{ "d", TRACE_CONV_D },	   { "i", TRACE_CONV_D },    { "u", TRACE_CONV_U },
	{ "x", TRACE_CONV_X },	   { "s", TRACE_CONV_S },    { "c", TRACE_CONV_C },
	{ "p", TRACE_CONV_P },
};

/* Write a reason into why; always -EINVAL. */
static int __attribute__((format(printf, 3, 4)))
trace_fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *trace_conv_name(enum trace_conv conv)
{
	switch (conv) {
	case TRACE_CONV_D:
		return "%d";
	case TRACE_CONV_U:
		return "%u";
	case TRACE_CONV_X:
		return "%x";
	case TRACE_CONV_LD:
		return "%ld";
	case TRACE_CONV_LU:
		return "%lu";
	case TRACE_CONV_LLX:
		return "%llx";
	case TRACE_CONV_S:
		return "%s";
	case TRACE_CONV_C:
		return "%c";
	case TRACE_CONV_P:
		return "%p";
	}
	return "?";
}

void trace_arg_name(const struct trace_spec_arg *a, char *buf, size_t len)
{
	switch (a->kind) {
	case TRACE_ARG_REG:
		snprintf(buf, len, "arg%u", a->index + 1);
		break;
	case TRACE_ARG_RETVAL:
		snprintf(buf, len, "retval");
		break;
	case TRACE_ARG_FIELD:
		snprintf(buf, len, "args->%s", a->field);
		break;
	}
}

/* Whether c may be part of a C identifier. */
static bool trace_is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Whether s (n bytes) is a non-empty C identifier. */
static bool trace_is_ident(const char *s, size_t n)
{
	if (!n || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!trace_is_ident_char(s[i]))
			return false;
	return true;
}

/* Copy n bytes of s into a name buffer; false when they do not fit. */
static bool trace_copy(char *dst, size_t dst_len, const char *s, size_t n)
{
	if (n >= dst_len)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/*
 * The length of the probe part at s: up to white space or a quote outside parentheses and
 * angle brackets, which a demangled C++ name may hold ("ns::f(int, char*)").
 */
static size_t trace_probe_len(const char *s)
{
	int depth = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '(' || s[i] == '<')
			depth++;
		else if ((s[i] == ')' || s[i] == '>') && depth > 0)
			depth--;
		else if (depth == 0 && (isspace((unsigned char)s[i]) || s[i] == '"'))
			break;
	}
	return i;
}

/* Split the probe part (n bytes at s) into type, target, provider and function. */
static int trace_parse_probe(const char *s, size_t n, struct trace_spec *out, char *why,
			     size_t why_len)
{
	const char *rest = s, *end = s + n, *c1, *c2;
	char type = 'p';

	if (n >= 2 && s[1] == ':' && strchr("prtUu", s[0])) {
		type = s[0] == 'u' ? 'U' : s[0];
		rest = s + 2;
		if (!memchr(rest, ':', (size_t)(end - rest))) {
			switch (type) {
			case 'U':
				return trace_fail(why, why_len,
						  "'%.*s': expected U:LIB:PROVIDER:NAME", (int)n,
						  s);
			case 't':
				return trace_fail(why, why_len, "'%.*s': expected t:CATEGORY:EVENT",
						  (int)n, s);
			default:
				return trace_fail(why, why_len, "'%.*s': expected %c:LIB:FUNC",
						  (int)n, s, type);
			}
		}
	}
	out->type = type;
	c1 = memchr(rest, ':', (size_t)(end - rest));
	if (!c1)
		return trace_fail(why, why_len,
				  "'%.*s' is not a probe: use [p:]LIB:FUNC, r:LIB:FUNC, "
				  "U:LIB:PROVIDER:NAME or t:CATEGORY:EVENT",
				  (int)n, s);
	if (type == 't') {
		if (!trace_is_ident(rest, (size_t)(c1 - rest)) ||
		    !trace_is_ident(c1 + 1, (size_t)(end - c1 - 1)))
			return trace_fail(
				why, why_len,
				"'%.*s': a tracepoint is t:CATEGORY:EVENT, both names made of "
				"letters, digits and _",
				(int)n, s);
		if (!trace_copy(out->target, sizeof(out->target), rest, (size_t)(c1 - rest)) ||
		    !trace_copy(out->func, sizeof(out->func), c1 + 1, (size_t)(end - c1 - 1)))
			return trace_fail(why, why_len, "the tracepoint name is too long");
		return 0;
	}
	if (c1 == rest)
		return trace_fail(why, why_len,
				  "'%.*s': no library or program before ':' (kernel functions "
				  "cannot be probed without kprobes: use t:CATEGORY:EVENT)",
				  (int)n, s);
	if (!trace_copy(out->target, sizeof(out->target), rest, (size_t)(c1 - rest)))
		return trace_fail(why, why_len, "the library name is too long (at most %zu bytes)",
				  sizeof(out->target) - 1);
	if (type == 'U') {
		c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
		if (!c2 || !trace_is_ident(c1 + 1, (size_t)(c2 - c1 - 1)) ||
		    !trace_is_ident(c2 + 1, (size_t)(end - c2 - 1)))
			return trace_fail(why, why_len,
					  "'%.*s': expected U:LIB:PROVIDER:NAME (the provider and "
					  "name made of letters, digits and _)",
					  (int)n, s);
		if (!trace_copy(out->provider, sizeof(out->provider), c1 + 1,
				(size_t)(c2 - c1 - 1)) ||
		    !trace_copy(out->func, sizeof(out->func), c2 + 1, (size_t)(end - c2 - 1)))
			return trace_fail(why, why_len, "the USDT probe name is too long");
		return 0;
	}
	if (c1 + 1 == end)
		return trace_fail(why, why_len, "'%.*s': no function after the library", (int)n, s);
	if (!trace_copy(out->func, sizeof(out->func), c1 + 1, (size_t)(end - c1 - 1)))
		return trace_fail(why, why_len, "the function name is too long (at most %zu bytes)",
				  sizeof(out->func) - 1);
	return 0;
}

/* Parse an argument token (n bytes at s): argN, retval or args->FIELD. */
static int trace_parse_arg(const char *s, size_t n, struct trace_spec_arg *a, char *why,
			   size_t why_len)
{
	memset(a, 0, sizeof(*a));
	if (n == 4 && !strncmp(s, "arg", 3) && s[3] >= '0' && s[3] <= '9') {
		if (s[3] < '1' || s[3] > '6')
			return trace_fail(why, why_len, "'%.*s': arguments are arg1 to arg6",
					  (int)n, s);
		a->kind = TRACE_ARG_REG;
		a->index = (unsigned int)(s[3] - '1');
		return 0;
	}
	if (n == 6 && !strncmp(s, "retval", 6)) {
		a->kind = TRACE_ARG_RETVAL;
		return 0;
	}
	if (n > 6 && !strncmp(s, "args->", 6)) {
		if (!trace_is_ident(s + 6, n - 6))
			return trace_fail(why, why_len, "'%.*s' is not a field name", (int)n, s);
		if (!trace_copy(a->field, sizeof(a->field), s + 6, n - 6))
			return trace_fail(why, why_len, "'%.*s': the field name is too long",
					  (int)n, s);
		a->kind = TRACE_ARG_FIELD;
		return 0;
	}
	if (n > 3 && !strncmp(s, "arg", 3) && isdigit((unsigned char)s[3]))
		return trace_fail(why, why_len, "'%.*s': arguments are arg1 to arg6", (int)n, s);
	return trace_fail(why, why_len,
			  "unknown argument '%.*s' (use arg1..arg6, retval or args->FIELD)", (int)n,
			  s);
}

/* Whether a probe of this type has argument a. */
static int trace_check_arg(char type, const struct trace_spec_arg *a, char *why, size_t why_len)
{
	char name[TRACE_SPEC_FIELD_LEN + 8];

	trace_arg_name(a, name, sizeof(name));
	switch (type) {
	case 'p':
		if (a->kind == TRACE_ARG_RETVAL)
			return trace_fail(why, why_len,
					  "retval is only known when the function returns: use "
					  "r:LIB:FUNC");
		break;
	case 'r':
		if (a->kind == TRACE_ARG_REG)
			return trace_fail(why, why_len,
					  "%s is not known when the function returns: an r: probe "
					  "reads retval",
					  name);
		break;
	case 'U':
		if (a->kind == TRACE_ARG_RETVAL)
			return trace_fail(why, why_len,
					  "a USDT probe has no retval: use arg1..arg6");
		break;
	case 't':
		if (a->kind != TRACE_ARG_FIELD)
			return trace_fail(
				why, why_len,
				"%s: a tracepoint's arguments are its fields, args->FIELD", name);
		return 0;
	}
	if (a->kind == TRACE_ARG_FIELD)
		return trace_fail(why, why_len, "%s: only tracepoints (t:) have fields", name);
	return 0;
}

/* The length of an argument token at s: a name, or "args->" and a name. */
static size_t trace_token_len(const char *s)
{
	size_t i = 0;

	while (trace_is_ident_char(s[i]))
		i++;
	if (i == 4 && !strncmp(s, "args->", 6)) {
		i += 2;
		while (trace_is_ident_char(s[i]))
			i++;
	}
	return i;
}

/* Skip white space. */
static const char *trace_skip(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Read the quoted format at *pp (at its opening quote) into out->format. */
static int trace_parse_quoted(const char **pp, struct trace_spec *out, char *why, size_t why_len)
{
	const char *p = *pp + 1;
	size_t n = 0;

	for (; *p && *p != '"'; p++) {
		char ch = *p;

		if (ch == '\\' && (p[1] == '"' || p[1] == '\\'))
			ch = *++p;
		if (n + 1 >= sizeof(out->format))
			return trace_fail(why, why_len,
					  "the format is too long (at most %zu bytes)",
					  sizeof(out->format) - 1);
		out->format[n++] = ch;
	}
	if (*p != '"')
		return trace_fail(why, why_len, "the format has no closing quote");
	out->format[n] = '\0';
	out->has_format = true;
	*pp = p + 1;
	return 0;
}

/* Find the conversions of out->format; their number in *n. */
static int trace_parse_convs(struct trace_spec *out, size_t *n, char *why, size_t why_len)
{
	const char *f = out->format;

	*n = 0;
	for (; *f; f++) {
		size_t k, len = 0;

		if (*f != '%')
			continue;
		if (f[1] == '%') {
			f++;
			continue;
		}
		if (!f[1])
			return trace_fail(why, why_len, "the format ends in a lone %%");
		for (k = 0; k < sizeof(trace_convs) / sizeof(trace_convs[0]); k++) {
			len = strlen(trace_convs[k].text);
			if (!strncmp(f + 1, trace_convs[k].text, len))
				break;
		}
		if (k == sizeof(trace_convs) / sizeof(trace_convs[0]))
			return trace_fail(
				why, why_len,
				"unknown conversion '%%%c' in the format (" TRACE_CONV_HINT
				"; no widths or flags)",
				isprint((unsigned char)f[1]) ? f[1] : '?');
		if (*n == TRACE_SPEC_ARGS)
			return trace_fail(why, why_len, "the format has more than %d conversions",
					  TRACE_SPEC_ARGS);
		out->convs[(*n)++] = trace_convs[k].conv;
		f += len;
	}
	return 0;
}

/* Read ", ARG" repeated after the format. */
static int trace_parse_args(const char **pp, struct trace_spec *out, char *why, size_t why_len)
{
	const char *p = trace_skip(*pp);
	int err;

	while (*p == ',') {
		size_t n;

		p = trace_skip(p + 1);
		n = trace_token_len(p);
		if (!n)
			return trace_fail(why, why_len, "an argument is missing after ','");
		if (out->nargs == TRACE_SPEC_ARGS)
			return trace_fail(why, why_len, "too many arguments (at most %d)",
					  TRACE_SPEC_ARGS);
		err = trace_parse_arg(p, n, &out->args[out->nargs], why, why_len);
		if (err)
			return err;
		err = trace_check_arg(out->type, &out->args[out->nargs], why, why_len);
		if (err)
			return err;
		out->nargs++;
		p = trace_skip(p + n);
	}
	*pp = p;
	return 0;
}

/* Read a number (decimal, or hex after 0x) with an optional minus sign. */
static int trace_parse_number(const char *s, size_t n, struct trace_spec *out, char *why,
			      size_t why_len)
{
	char buf[32];
	const char *digits;
	unsigned long long v;
	bool neg = false;
	char *end;

	if (!n || n >= sizeof(buf))
		return trace_fail(why, why_len, "the filter needs a number after the comparison");
	memcpy(buf, s, n);
	buf[n] = '\0';
	digits = buf;
	if (*digits == '-') {
		neg = true;
		digits++;
	}
	if (!isdigit((unsigned char)*digits))
		return trace_fail(why, why_len,
				  "'%s' is not a number (the filter compares with a "
				  "constant)",
				  buf);
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
		digits += 2;
	errno = 0;
	v = strtoull(digits, &end, digits == buf + neg ? 10 : 16);
	if (*end || end == digits || !isxdigit((unsigned char)*digits))
		return trace_fail(why, why_len, "'%s' is not a number", buf);
	if (errno == ERANGE || (neg && v > (unsigned long long)INT64_MAX + 1))
		return trace_fail(why, why_len, "'%s' is out of range (64 bits)", buf);
	out->filter_negative = neg && v;
	out->filter_value = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* Read a filter "(ARG OP NUMBER)" at *pp (at its parenthesis). */
static int trace_parse_filter(const char **pp, struct trace_spec *out, char *why, size_t why_len)
{
	static const struct {
		const char *text;
		enum trace_spec_cmp op;
	} ops[] = {
		{ "==", TRACE_SPEC_CMP_EQ }, { "!=", TRACE_SPEC_CMP_NE },
		{ "<=", TRACE_SPEC_CMP_LE }, { ">=", TRACE_SPEC_CMP_GE },
		{ "<", TRACE_SPEC_CMP_LT },  { ">", TRACE_SPEC_CMP_GT },
	};
	const char *p = trace_skip(*pp + 1);
	size_t n, k;
	int err;

	if (out->filter_op != TRACE_SPEC_CMP_NONE)
		return trace_fail(why, why_len, "only one filter is allowed");
	n = trace_token_len(p);
	if (!n)
		return trace_fail(why, why_len,
				  "the filter is one comparison of an argument with a number, e.g. "
				  "(arg1 == 3)");
	err = trace_parse_arg(p, n, &out->filter_arg, why, why_len);
	if (err)
		return err;
	err = trace_check_arg(out->type, &out->filter_arg, why, why_len);
	if (err)
		return err;
	p = trace_skip(p + n);
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strncmp(p, ops[k].text, strlen(ops[k].text)))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return trace_fail(why, why_len,
				  "the filter compares with == != < <= > or >=, e.g. (arg1 == 3)");
	out->filter_op = ops[k].op;
	p = trace_skip(p + strlen(ops[k].text));
	for (n = 0; p[n] && p[n] != ')' && !isspace((unsigned char)p[n]); n++)
		;
	err = trace_parse_number(p, n, out, why, why_len);
	if (err)
		return err;
	p = trace_skip(p + n);
	if (*p != ')')
		return trace_fail(why, why_len,
				  *p ? "the filter is one comparison of an argument with a number, "
				       "e.g. (arg1 == 3)"
				     : "the filter has no closing parenthesis");
	*pp = p + 1;
	return 0;
}

int trace_spec_parse(const char *text, struct trace_spec *out, char *why, size_t why_len)
{
	const char *p;
	size_t n, nconvs;
	int err;

	memset(out, 0, sizeof(*out));
	p = trace_skip(text);
	n = trace_probe_len(p);
	if (!n)
		return trace_fail(why, why_len,
				  "empty probe: use [p:]LIB:FUNC, r:LIB:FUNC, U:LIB:PROVIDER:NAME "
				  "or t:CATEGORY:EVENT");
	err = trace_parse_probe(p, n, out, why, why_len);
	if (err)
		return err;
	p = trace_skip(p + n);
	while (*p) {
		if (*p == '(') {
			err = trace_parse_filter(&p, out, why, why_len);
		} else if (*p == '"') {
			if (out->has_format)
				return trace_fail(why, why_len, "only one format is allowed");
			err = trace_parse_quoted(&p, out, why, why_len);
			if (!err)
				err = trace_parse_args(&p, out, why, why_len);
		} else {
			n = strcspn(p, " \t");
			return trace_fail(why, why_len,
					  "unexpected '%.*s' (after the probe come \"FORMAT\", "
					  "ARG... and a (FILTER))",
					  (int)(n > 40 ? 40 : n), p);
		}
		if (err)
			return err;
		p = trace_skip(p);
	}
	err = trace_parse_convs(out, &nconvs, why, why_len);
	if (err)
		return err;
	if (nconvs != out->nargs)
		return trace_fail(why, why_len,
				  "the format has %zu conversion%s but %zu argument%s", nconvs,
				  nconvs == 1 ? "" : "s", out->nargs,
				  out->nargs == 1 ? " is given" : "s are given");
	return 0;
}

/* Whether the word w stands alone in s (between non-identifier characters). */
static bool trace_has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
		if ((p == s || !trace_is_ident_char(p[-1])) && !trace_is_ident_char(p[n]))
			return true;
	return false;
}

/* The value after "key:" in a format line, or -1. */
static long trace_tp_number(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	char *end;
	long v;

	if (!p)
		return -1;
	v = strtol(p + strlen(key), &end, 10);
	return end == p + strlen(key) ? -1 : v;
}

/* Parse one "field:DECL;\toffset:N;\tsize:N;\tsigned:N;" line. */
static int trace_tp_field_parse(const char *line, struct trace_tp_field *f, char *why,
				size_t why_len)
{
	const char *decl = line + strlen("field:");
	const char *semi = strchr(decl, ';');
	const char *end, *name;
	bool array = false;
	long off, size, sgn;

	memset(f, 0, sizeof(*f));
	off = trace_tp_number(line, "offset:");
	size = trace_tp_number(line, "size:");
	sgn = trace_tp_number(line, "signed:");
	if (!semi || off < 0 || off > 0xffff || size < 0 || size > 0xffff)
		return trace_fail(why, why_len, "unreadable field line in the format: '%.60s'",
				  line);
	end = semi;
	while (end > decl && isspace((unsigned char)end[-1]))
		end--;
	if (end > decl && end[-1] == ']') {
		const char *open = end - 1;

		while (open > decl && *open != '[')
			open--;
		array = true;
		end = open;
		while (end > decl && isspace((unsigned char)end[-1]))
			end--;
	}
	name = end;
	while (name > decl && trace_is_ident_char(name[-1]))
		name--;
	if (!trace_is_ident(name, (size_t)(end - name)) ||
	    !trace_copy(f->name, sizeof(f->name), name, (size_t)(end - name)))
		return trace_fail(why, why_len, "unreadable field name in the format: '%.60s'",
				  line);
	trace_copy(f->decl, sizeof(f->decl), decl,
		   (size_t)(semi - decl) < sizeof(f->decl) ? (size_t)(semi - decl)
							   : sizeof(f->decl) - 1);
	f->offset = (uint16_t)off;
	f->size = (uint16_t)size;
	f->is_signed = sgn == 1;
	if (!strncmp(decl, "__data_loc", 10))
		f->kind = trace_has_word(f->decl, "char") ? TRACE_TP_DATA_LOC : TRACE_TP_OTHER;
	else if (!strncmp(decl, "__rel_loc", 9))
		f->kind = trace_has_word(f->decl, "char") ? TRACE_TP_REL_LOC : TRACE_TP_OTHER;
	else if (array)
		f->kind = trace_has_word(f->decl, "char") && !strchr(f->decl, '*')
				  ? TRACE_TP_CHAR_ARRAY
				  : TRACE_TP_OTHER;
	else if (strchr(f->decl, '*'))
		f->kind = trace_has_word(f->decl, "char") ? TRACE_TP_STR_PTR : TRACE_TP_PTR;
	else if (size == 1 || size == 2 || size == 4 || size == 8)
		f->kind = TRACE_TP_INT;
	else
		f->kind = TRACE_TP_OTHER;
	return 0;
}

int trace_tp_format_parse(const char *text, struct trace_tp_format *out, char *why, size_t why_len)
{
	const char *line = text;
	char buf[512];
	int err;

	memset(out, 0, sizeof(*out));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		const char *s;

		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, line, n);
		buf[n] = '\0';
		line = nl ? nl + 1 : NULL;
		s = trace_skip(buf);
		if (!strncmp(s, "ID:", 3)) {
			out->id = (uint32_t)strtoul(s + 3, NULL, 10);
		} else if (!strncmp(s, "field:", 6)) {
			if (out->nfields == TRACE_TP_FIELDS_MAX)
				return trace_fail(why, why_len,
						  "the tracepoint has more than %d fields",
						  TRACE_TP_FIELDS_MAX);
			err = trace_tp_field_parse(s, &out->fields[out->nfields], why, why_len);
			if (err)
				return err;
			out->nfields++;
		}
	}
	if (!out->nfields)
		return trace_fail(why, why_len, "no fields in the tracepoint's format description");
	return 0;
}

const struct trace_tp_field *trace_tp_field_find(const struct trace_tp_format *f, const char *name)
{
	for (size_t i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

/* "no field 'x' in cat:event (has a, b, c)": the event's own fields, common_* left out. */
static int trace_no_field(const struct trace_spec *s, const struct trace_tp_format *tp,
			  const char *name, char *why, size_t why_len)
{
	char list[160] = "";
	size_t n = 0;

	for (size_t i = 0; i < tp->nfields && n < sizeof(list); i++) {
		if (!strncmp(tp->fields[i].name, "common_", 7))
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
				      tp->fields[i].name);
	}
	return trace_fail(why, why_len, "no field '%s' in %s:%s (has %s)", name, s->target, s->func,
			  n ? list : "only common_ fields");
}

/* The kernel side's reading of argument a, printed with conversion conv. */
static int trace_bind_arg(const struct trace_spec *s, const struct trace_spec_arg *a,
			  enum trace_conv conv, const struct trace_tp_format *tp, int usdt_nargs,
			  struct trace_arg_desc *d, char *why, size_t why_len)
{
	bool str = conv == TRACE_CONV_S;
	const struct trace_tp_field *f;

	memset(d, 0, sizeof(*d));
	d->val = str ? TRACE_VAL_STR : TRACE_VAL_INT;
	d->size = 8;
	d->index = (__u8)a->index;
	switch (a->kind) {
	case TRACE_ARG_REG:
		d->src = s->type == 'U' ? TRACE_SRC_USDT : TRACE_SRC_REG;
		if (s->type == 'U' && usdt_nargs >= 0 && (int)a->index >= usdt_nargs)
			return trace_fail(why, why_len, "arg%u: USDT probe %s:%s has %d argument%s",
					  a->index + 1, s->provider, s->func, usdt_nargs,
					  usdt_nargs == 1 ? "" : "s");
		return 0;
	case TRACE_ARG_RETVAL:
		d->src = TRACE_SRC_RET;
		return 0;
	case TRACE_ARG_FIELD:
		break;
	}
	if (!tp)
		return trace_fail(why, why_len, "args->%s: no tracepoint format", a->field);
	f = trace_tp_field_find(tp, a->field);
	if (!f)
		return trace_no_field(s, tp, a->field, why, why_len);
	d->offset = f->offset;
	d->size = (__u8)(f->size > 255 ? 255 : f->size);
	d->is_signed = f->is_signed;
	d->src = TRACE_SRC_FIELD;
	switch (f->kind) {
	case TRACE_TP_INT:
	case TRACE_TP_PTR:
		if (str)
			return trace_fail(
				why, why_len,
				"args->%s is not a string (%s): print it with " TRACE_INT_CONVS,
				f->name, f->decl);
		return 0;
	case TRACE_TP_STR_PTR:
		if (f->size != 4 && f->size != 8)
			break;
		return 0;
	case TRACE_TP_CHAR_ARRAY:
	case TRACE_TP_DATA_LOC:
	case TRACE_TP_REL_LOC:
		if (!str)
			return trace_fail(why, why_len,
					  "args->%s is a string (%s): print it with %%s", f->name,
					  f->decl);
		if (f->kind == TRACE_TP_CHAR_ARRAY)
			d->val = TRACE_VAL_ARRAY;
		else
			d->src = f->kind == TRACE_TP_DATA_LOC ? TRACE_SRC_DATA_LOC
							      : TRACE_SRC_REL_LOC;
		return 0;
	case TRACE_TP_OTHER:
		break;
	}
	return trace_fail(why, why_len, "args->%s (%s) is neither an integer nor a string", f->name,
			  f->decl);
}

/* Whether two arguments name the same value. */
static bool trace_arg_is_same(const struct trace_spec_arg *a, const struct trace_spec_arg *b)
{
	return a->kind == b->kind && a->index == b->index && !strcmp(a->field, b->field);
}

/* Whether the filter's constant fits an integer of size bytes and this sign. */
static bool trace_const_fits(const struct trace_spec *s, unsigned int size, bool sgn)
{
	int64_t v = s->filter_value;
	unsigned int bits = size * 8;

	if (!sgn) {
		if (s->filter_negative)
			return false;
		return bits == 64 || (uint64_t)v < (1ULL << bits);
	}
	if (!s->filter_negative && v < 0)
		return false; /* over INT64_MAX */
	if (bits == 64)
		return true;
	return v >= -(1LL << (bits - 1)) && v < (1LL << (bits - 1));
}

/*
 * The filter's operand: read as an integer, compared with the type its field has (t:) or that
 * its conversion in the format says; an argument not printed is an int, or a long when the
 * constant does not fit an int.
 */
static int trace_bind_filter(const struct trace_spec *s, const struct trace_tp_format *tp,
			     int usdt_nargs, struct trace_probe_desc *d, char *why, size_t why_len)
{
	char name[TRACE_SPEC_FIELD_LEN + 8];
	unsigned int size = 4;
	bool sgn = true;
	size_t i;
	int err;

	trace_arg_name(&s->filter_arg, name, sizeof(name));
	for (i = 0; i < s->nargs; i++)
		if (trace_arg_is_same(&s->args[i], &s->filter_arg))
			break;
	if (i < s->nargs && s->convs[i] == TRACE_CONV_S)
		return trace_fail(why, why_len,
				  "the filter compares integers: %s is printed as a string (%%s)",
				  name);
	err = trace_bind_arg(s, &s->filter_arg, TRACE_CONV_LLX, tp, usdt_nargs, &d->filter_arg, why,
			     why_len);
	if (err)
		return err;
	if (s->filter_arg.kind == TRACE_ARG_FIELD) {
		size = d->filter_arg.size;
		sgn = d->filter_arg.is_signed;
	} else if (i < s->nargs) {
		switch (s->convs[i]) {
		case TRACE_CONV_D:
			break;
		case TRACE_CONV_U:
		case TRACE_CONV_X:
			sgn = false;
			break;
		case TRACE_CONV_LD:
			size = 8;
			break;
		case TRACE_CONV_C:
			size = 1;
			break;
		default:
			size = 8;
			sgn = false;
			break;
		}
	} else if (!trace_const_fits(s, 4, true)) {
		size = 8;
		sgn = trace_const_fits(s, 8, true);
	}
	if (!trace_const_fits(s, size, sgn))
		return trace_fail(why, why_len,
				  "the filter's %s%llu is out of range for %s (%u-byte %s integer)",
				  s->filter_negative ? "-" : "",
				  s->filter_negative ? 0ULL - (unsigned long long)s->filter_value
						     : (unsigned long long)s->filter_value,
				  name, size, sgn ? "signed" : "unsigned");
	d->filter_op = (__u8)s->filter_op;
	d->filter_size = (__u8)size;
	d->filter_signed = sgn;
	d->filter_value = s->filter_value;
	return 0;
}

int trace_spec_bind(const struct trace_spec *s, const struct trace_tp_format *tp, int usdt_nargs,
		    uint32_t id, struct trace_probe_desc *out, char *why, size_t why_len)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->id = id;
	out->nargs = (__u8)s->nargs;
	for (size_t i = 0; i < s->nargs; i++) {
		err = trace_bind_arg(s, &s->args[i], s->convs[i], tp, usdt_nargs, &out->args[i],
				     why, why_len);
		if (err)
			return err;
	}
	if (s->filter_op != TRACE_SPEC_CMP_NONE)
		return trace_bind_filter(s, tp, usdt_nargs, out, why, why_len);
	return 0;
}
