// SPDX-License-Identifier: GPL-2.0
#include "ui/format.h"

#include <stdio.h>
#include <time.h>

char *format_usecs(char *buf, size_t len, double us)
{
	if (us < 0)
		snprintf(buf, len, "-");
	else if (us < 1000)
		snprintf(buf, len, "%.0fus", us);
	else if (us < 1000000)
		snprintf(buf, len, "%.*fms", us < 10000 ? 2 : 1, us / 1000);
	else
		snprintf(buf, len, "%.2fs", us / 1000000);
	return buf;
}

char *format_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

char *format_clock(char *buf, size_t len, double t)
{
	time_t secs = (time_t)t;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

char *format_elapsed(char *buf, size_t len, double seconds)
{
	unsigned long s = seconds > 0 ? (unsigned long)seconds : 0;

	if (s >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%02lu:%02lu", s / 60, s % 60);
	return buf;
}
