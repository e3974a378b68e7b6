// SPDX-License-Identifier: GPL-2.0
/* Strict parsers for numbers, durations and PID lists typed by the user. */
#include "util/parse.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/escape.h"

/* The kernel's PID_MAX_LIMIT on 64-bit: no PID is larger. */
#define PARSE_PID_MAX 4194304u

/* How much of the user's text a reason quotes (escaped, cut with "..."). */
#define PARSE_QUOTE_MAX 48

/* Write the user's text s into buf, escaped and bounded, for quoting in a reason. */
static const char *parse_quote(char *buf, size_t size, const char *s)
{
	escape_cstr(buf, size, s ? s : "", PARSE_QUOTE_MAX * 4);
	return buf;
}

/* Whether c is an ASCII decimal digit (isdigit() would follow the locale). */
static bool parse_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Format v for a message with a '.' decimal point whatever the locale says. */
static void parse_fmt_double(char *buf, size_t size, double v)
{
	const char *point = localeconv()->decimal_point;
	size_t plen = point ? strlen(point) : 0;
	char *p;

	snprintf(buf, size, "%g", v);
	if (!plen || strcmp(point, ".") == 0)
		return;
	p = strstr(buf, point);
	if (p) {
		*p = '.';
		memmove(p + 1, p + plen, strlen(p + plen) + 1);
	}
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t why_len)
{
	char q[PARSE_QUOTE_MAX + 4];
	const char *p = s;
	uint64_t v = 0;
	bool overflow = false;

	if (!s || !*s) {
		snprintf(why, why_len,
			 "no value given (a number from %" PRIu64 " to %" PRIu64 " is needed)", min,
			 max);
		return -EINVAL;
	}
	/* A minus sign followed by digits is a number, just not one in range. */
	if (*p == '-' && parse_is_digit(p[1]))
		p++;
	for (; *p; p++) {
		unsigned int d;

		if (!parse_is_digit(*p)) {
			snprintf(why, why_len, "'%s' is not a number",
				 parse_quote(q, sizeof(q), s));
			return -EINVAL;
		}
		d = (unsigned int)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (*s == '-' || overflow || v < min || v > max) {
		snprintf(why, why_len, "'%s' is out of range (%" PRIu64 " to %" PRIu64 ")",
			 parse_quote(q, sizeof(q), s), min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double min, double max, double *out, char *why, size_t why_len)
{
	char q[PARSE_QUOTE_MAX + 4], lo[32], hi[32];
	const char *p = s;
	uint64_t frac = 0;
	double v = 0, scale = 1;
	bool negative = false;
	int digits = 0;

	if (!s || !*s) {
		snprintf(why, why_len, "no value given (a number of seconds is needed)");
		return -EINVAL;
	}
	if (*p == '-') {
		negative = true;
		p++;
	}
	for (; parse_is_digit(*p); p++, digits++)
		v = v * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; parse_is_digit(*p); p++, digits++) {
			/* 18 decimals are far below what anyone waits for; the rest is ignored. */
			if (scale < 1e18) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p || !digits) {
		snprintf(why, why_len, "'%s' is not a number of seconds",
			 parse_quote(q, sizeof(q), s));
		return -EINVAL;
	}
	v += (double)frac / scale;
	if (negative)
		v = -v;
	if (!(v >= min && v <= max)) {
		parse_fmt_double(lo, sizeof(lo), min);
		parse_fmt_double(hi, sizeof(hi), max);
		snprintf(why, why_len, "'%s' is out of range (%s to %s)",
			 parse_quote(q, sizeof(q), s), lo, hi);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_bool(const char *s, bool *out, char *why, size_t why_len)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	char q[PARSE_QUOTE_MAX + 4];

	for (size_t i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	snprintf(why, why_len, "'%s' is not yes or no", parse_quote(q, sizeof(q), s));
	return -EINVAL;
}

/* Whether a process (or thread) with this PID exists; EPERM from kill() means it does. */
static bool parse_pid_exists(uint32_t pid)
{
	char path[32];

	if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
		return true;
	/* Another PID namespace may still show it in /proc. */
	snprintf(path, sizeof(path), "/proc/%" PRIu32, pid);
	return access(path, F_OK) == 0;
}

int parse_pid_list(const char *s, uint32_t *pids, size_t max, size_t *n, char *why, size_t why_len)
{
	char item[24], q[PARSE_QUOTE_MAX + 4];
	const char *p = s;
	size_t count = 0;

	*n = 0;
	if (!s || !*s) {
		snprintf(why, why_len, "no PID given");
		return -EINVAL;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		uint64_t pid;
		size_t i;
		int err;

		if (!len) {
			snprintf(why, why_len, "'%s' has an empty PID",
				 parse_quote(q, sizeof(q), s));
			return -EINVAL;
		}
		if (len >= sizeof(item)) {
			/* Too long for any PID; quote only the start of it. */
			snprintf(why, why_len, "'%s' is not a PID", parse_quote(q, 20, p));
			return -EINVAL;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		err = parse_u64(item, 1, PARSE_PID_MAX, &pid, why, why_len);
		if (err)
			return err;
		if (!parse_pid_exists((uint32_t)pid)) {
			snprintf(why, why_len, "no process with PID %" PRIu64, pid);
			return -ESRCH;
		}
		for (i = 0; i < count; i++) {
			if (pids[i] == pid)
				break;
		}
		if (i == count) {
			if (count == max) {
				snprintf(why, why_len, "too many PIDs (at most %zu)", max);
				return -EINVAL;
			}
			pids[count++] = (uint32_t)pid;
		}
		p += len;
		if (!*p)
			break;
		p++;
	}
	*n = count;
	return 0;
}
