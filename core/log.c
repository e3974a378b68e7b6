// SPDX-License-Identifier: GPL-2.0
#include "core/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static FILE *log_file;
static char last_warning[256];

/* libbpf's print callback: warnings remembered, everything to the log file if open. */
static int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	if (level == LIBBPF_WARN) {
		vsnprintf(last_warning, sizeof(last_warning), fmt, copy);
		last_warning[strcspn(last_warning, "\n")] = '\0';
	}
	va_end(copy);
	if (log_file) {
		vfprintf(log_file, fmt, ap);
		fflush(log_file);
	}
	return 0;
}

void log_init(void)
{
	const char *path = getenv("KTOP_LOG");
	int fd;

	libbpf_set_print(log_libbpf);
	if (!path || !path[0])
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	log_file = fdopen(fd, "a");
	if (!log_file)
		close(fd);
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

bool log_enabled(void)
{
	return log_file != NULL;
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	if (!log_file)
		return;
	/* one line at a time: the HTTP threads log too */
	flockfile(log_file);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
	funlockfile(log_file);
}

const char *log_last_libbpf_warning(void)
{
	return last_warning;
}
