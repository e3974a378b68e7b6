// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a process's threads from /proc. Each thread's directory is opened once and its files
 * are read relative to it, every read into a fixed buffer; what does not fit is cut, and a
 * thread that exits meanwhile makes the open or the read fail, which is reported as -ESRCH.
 */
#include "collectors/stacks_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/xalloc.h"

#define PROC_STAT_LEN	1024 /* a stat line is ~300 bytes with a 64-byte name */
#define PROC_STATUS_LEN 4096 /* status is ~1.5 KiB */
#define PROC_WCHAN_LEN	128
#define PROC_STACK_LEN	4096 /* more than the 512 bytes shown */

/* Fields after the name in a stat line, counted from the state (field 3 in proc(5)). */
#define PROC_STAT_UTIME 11
#define PROC_STAT_STIME 12
#define PROC_STAT_START 19

/* Read file name of directory dirfd into buf (NUL-terminated): its length, or -errno. */
static ssize_t proc_read_at(int dirfd, const char *name, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Whether an errno says the thread or process is gone. */
static bool proc_errno_is_gone(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

/*
 * The next blank-separated number of [*p, end) into *v (a negative one is read as 0), moving
 * *p past it; false when there is none.
 */
static bool proc_next_number(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	bool negative = false;
	uint64_t n = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && *s == '-') {
		negative = true;
		s++;
	}
	if (s == end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (uint64_t)(*s - '0');
	*v = negative ? 0 : n;
	*p = s;
	return true;
}

bool stacks_proc_parse_stat(const char *buf, size_t len, struct stacks_proc_task *t)
{
	const char *open = memchr(buf, '(', len);
	const char *close = NULL;
	const char *end = buf + len;
	const char *p;
	uint64_t v;
	int field;

	for (p = buf; p < end; p++)
		if (*p == ')')
			close = p;
	if (!open || !close || close < open || end - close < 4)
		return false;
	escape_text(t->name, sizeof(t->name), open + 1, (size_t)(close - open - 1));
	t->state = close[2];
	t->ticks = 0;
	t->start = 0;
	/* The numeric fields after the state, up to the start time. */
	p = close + 3;
	for (field = 1; field <= PROC_STAT_START; field++) {
		if (!proc_next_number(&p, end, &v))
			return false;
		if (field == PROC_STAT_UTIME || field == PROC_STAT_STIME)
			t->ticks += v;
		else if (field == PROC_STAT_START)
			t->start = v;
	}
	return true;
}

/* The number after "key:" in a status file's text, or 0. */
static uint64_t proc_status_field(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf;
	const char *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) && p[klen] == ':') {
			uint64_t v = 0;

			p += klen + 1;
			return proc_next_number(&p, end, &v) ? v : 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

void stacks_proc_parse_status(const char *buf, size_t len, struct stacks_proc_task *t)
{
	t->tgid = (uint32_t)proc_status_field(buf, len, "Tgid");
	t->voluntary = proc_status_field(buf, len, "voluntary_ctxt_switches");
	t->involuntary = proc_status_field(buf, len, "nonvoluntary_ctxt_switches");
}

void stacks_proc_format_kstack(const char *buf, size_t len, char *out, size_t out_len)
{
	const char *sep = " <- ";
	const char *end = buf + len;
	const char *p = buf;
	size_t used = 0;
	char name[128];

	if (!out_len)
		return;
	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *s = memchr(p, ']', (size_t)(line_end - p));
		const char *e;
		size_t n;

		/* "[<0>] name+0x1/0x2": the name is after "] ", up to the offset. */
		s = s ? s + 1 : p;
		while (s < line_end && *s == ' ')
			s++;
		for (e = s; e < line_end && *e != '+' && *e != ' '; e++)
			;
		p = nl ? nl + 1 : end;
		if (e == s)
			continue;
		n = escape_text(name, sizeof(name), s, (size_t)(e - s));
		if (used + (used ? strlen(sep) : 0) + n + 1 > out_len) {
			/* No room for this frame: say the rest is cut, if that fits. */
			if (used + 4 < out_len)
				memcpy(out + used, " ...", 5);
			return;
		}
		used += (size_t)snprintf(out + used, out_len - used, "%s%s", used ? sep : "", name);
	}
}

/* Order thread ids. */
static int proc_tid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int stacks_proc_list(uint32_t pid, uint32_t **tids, size_t *cap)
{
	char path[48];
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return proc_errno_is_gone(-errno) ? -ESRCH : -errno;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long tid = strtoul(de->d_name, &end, 10);

		if (*end || end == de->d_name || !tid || tid > UINT32_MAX)
			continue;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*tids = xreallocarray(*tids, *cap, sizeof(**tids));
		}
		(*tids)[n++] = (uint32_t)tid;
	}
	closedir(dir);
	if (n)
		qsort(*tids, n, sizeof(**tids), proc_tid_cmp);
	return (int)n;
}

int stacks_proc_read_task(uint32_t pid, uint32_t tid, bool want_kstack, struct stacks_proc_task *t)
{
	char buf[PROC_STATUS_LEN];
	char path[64];
	ssize_t n;
	int dirfd;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	snprintf(path, sizeof(path), "/proc/%u/task/%u", pid, tid);
	dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return proc_errno_is_gone(-errno) ? -ESRCH : -errno;

	n = proc_read_at(dirfd, "stat", buf, PROC_STAT_LEN);
	if (n <= 0 || !stacks_proc_parse_stat(buf, (size_t)n, t)) {
		/* Empty or cut short: the thread left while the kernel wrote it. */
		err = n < 0 && !proc_errno_is_gone((int)n) ? (int)n : -ESRCH;
		goto out_close;
	}
	n = proc_read_at(dirfd, "status", buf, sizeof(buf));
	if (n <= 0) {
		err = n < 0 && !proc_errno_is_gone((int)n) ? (int)n : -ESRCH;
		goto out_close;
	}
	stacks_proc_parse_status(buf, (size_t)n, t);

	/* Optional: "0" or nothing when it runs, unreadable without privilege. */
	n = proc_read_at(dirfd, "wchan", buf, PROC_WCHAN_LEN);
	if (n > 0 && strcmp(buf, "0"))
		escape_text(t->wchan, sizeof(t->wchan), buf, strcspn(buf, "\n"));
	if (want_kstack) {
		n = proc_read_at(dirfd, "stack", buf, PROC_STACK_LEN);
		if (n > 0)
			stacks_proc_format_kstack(buf, (size_t)n, t->kstack, sizeof(t->kstack));
	}
out_close:
	close(dirfd);
	return err;
}

bool stacks_proc_read_comm(uint32_t pid, char *out, size_t out_len)
{
	char path[32];
	char buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	n = proc_read_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n <= 0)
		return false;
	escape_text(out, out_len, buf, strcspn(buf, "\n"));
	return true;
}
