// SPDX-License-Identifier: GPL-2.0
#include "record/record_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DURATION_S (30ull * 86400)

int record_duration_parse(const char *s, uint64_t *sec, char *why, size_t why_len)
{
	unsigned long long n;
	uint64_t unit = 1;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-' || s[0] == '+') {
		snprintf(why, why_len, "'%s' is not a duration (e.g. 90s, 15m, 2h, 1d)", s);
		return -EINVAL;
	}
	if (!strcmp(end, "m"))
		unit = 60;
	else if (!strcmp(end, "h"))
		unit = 3600;
	else if (!strcmp(end, "d"))
		unit = 86400;
	else if (strcmp(end, "s") && *end) {
		snprintf(why, why_len, "'%s' is not a duration (e.g. 90s, 15m, 2h, 1d)", s);
		return -EINVAL;
	}
	if (!n || n > MAX_DURATION_S / unit) {
		snprintf(why, why_len, "'%s' is out of range (1s to 30d)", s);
		return -EINVAL;
	}
	*sec = n * unit;
	return 0;
}

int record_keep_parse(const char *s, uint64_t *sec, uint64_t *bytes, char *why, size_t why_len)
{
	static const struct {
		const char *suffix;
		uint64_t unit;
	} units[] = { { "KB", 1ull << 10 }, { "MB", 1ull << 20 }, { "GB", 1ull << 30 } };
	unsigned long long n;
	char *end;

	*sec = *bytes = 0;
	if (!strchr(s, 'B'))
		return record_duration_parse(s, sec, why, why_len);
	errno = 0;
	n = strtoull(s, &end, 10);
	for (size_t i = 0; end != s && !errno && s[0] != '-' && i < sizeof(units) / sizeof(*units);
	     i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (n > (1ull << 40) / units[i].unit || n * units[i].unit < (1ull << 20)) {
			snprintf(why, why_len, "'%s' is out of range (1MB to 1024GB)", s);
			return -EINVAL;
		}
		*bytes = n * units[i].unit;
		return 0;
	}
	snprintf(why, why_len, "'%s' is not a size (e.g. 100MB, 2GB) or a duration (90s, 15m)", s);
	return -EINVAL;
}

int record_time_parse(const char *s, struct record_time *t, char *why, size_t why_len)
{
	unsigned int h, m, sec;
	int used = 0;

	memset(t, 0, sizeof(*t));
	if (s[0] == '+') {
		t->relative = true;
		if (!strcmp(s, "+0")) {
			t->sec = 0;
			return 0;
		}
		return record_duration_parse(s + 1, &t->sec, why, why_len);
	}
	if (sscanf(s, "%2u:%2u:%2u%n", &h, &m, &sec, &used) != 3 || s[used] || h > 23 || m > 59 ||
	    sec > 59) {
		snprintf(why, why_len, "'%s' is not a time (HH:MM:SS, or +DURATION from the start)",
			 s);
		return -EINVAL;
	}
	t->sec = h * 3600u + m * 60u + sec;
	return 0;
}

uint64_t record_time_resolve(const struct record_time *t, uint64_t first_ns)
{
	time_t first = (time_t)(first_ns / 1000000000ull), at;
	struct tm tm;

	if (t->relative)
		return first_ns + t->sec * 1000000000ull;
	localtime_r(&first, &tm);
	tm.tm_hour = (int)(t->sec / 3600);
	tm.tm_min = (int)(t->sec / 60 % 60);
	tm.tm_sec = (int)(t->sec % 60);
	tm.tm_isdst = -1;
	at = mktime(&tm);
	/* before the recording's first second: that time on the next day */
	if (at < first)
		at += 86400;
	return (uint64_t)at * 1000000000ull;
}
