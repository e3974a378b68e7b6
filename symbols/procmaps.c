// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps and /proc/PID/map_files, read and opened but never written. */
#include "symbols/procmaps.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/xalloc.h"

#define PROCMAPS_DELETED " (deleted)"

/*
 * The PROCMAP_QUERY ioctl on /proc/PID/maps (Linux 6.11, uapi/linux/fs.h; Debian 12's headers
 * predate it): one mapping per call, chosen by the kernel, so the text of the others (most of
 * a process's maps: data, heap, stacks) is never formatted nor parsed.
 */
struct procmaps_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};

#define PROCMAPS_QUERY			_IOWR('f', 17, struct procmaps_query)
#define PROCMAPS_QUERY_EXECUTABLE	0x04
#define PROCMAPS_QUERY_COVERING_OR_NEXT 0x10

/* Whether c separates the fields of a maps line. */
static bool maps_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Read 1 to 16 hex digits at *p into *v and move past them; false if there are none or more. */
static bool maps_hex(const char **p, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;
	int n = 0;

	for (;; s++, n++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned int)((*s | 0x20) - 'a' + 10);
		else
			break;
		x = x << 4 | d;
	}
	if (!n || n > 16)
		return false;
	*v = x;
	*p = s;
	return true;
}

/* Read 1 to 19 decimal digits at *p into *v and move past them. */
static bool maps_dec(const char **p, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;
	int n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++)
		x = x * 10 + (unsigned long long)(*s - '0');
	if (!n || n > 19)
		return false;
	*v = x;
	*p = s;
	return true;
}

/* Skip at least one blank; false if there is none. */
static bool maps_blanks(const char **p)
{
	const char *s = *p;

	while (maps_is_blank(*s))
		s++;
	if (s == *p)
		return false;
	*p = s;
	return true;
}

/* The kind of mapping e (inode set) from its name: len bytes of path, 0 when anonymous. */
static void maps_name(struct procmaps_entry *e, const char *path, size_t len)
{
	size_t del_len = strlen(PROCMAPS_DELETED);

	e->kind = PROCMAPS_ANON; /* no name, [heap], [stack], [anon:name], a special mapping */
	if (!len)
		return;
	if (path[0] == '[') {
		if (len == 6 && !strncmp(path, "[vdso]", 6))
			e->kind = PROCMAPS_VDSO;
		else if (len == 10 && !strncmp(path, "[vsyscall]", 10))
			e->kind = PROCMAPS_VSYSCALL;
	}
	if (!e->inode)
		return;
	if (len > del_len && !memcmp(path + len - del_len, PROCMAPS_DELETED, del_len)) {
		e->deleted = true;
		len -= del_len;
	}
	e->kind = PROCMAPS_FILE;
	e->path = xasprintf("%.*s", (int)len, path);
}

/*
 * Parsed by hand, not with sscanf: a burst of new processes means thousands of lines a second,
 * and most of them (not executable) are turned away at their permissions.
 */
bool procmaps_parse_line(const char *line, bool only_exec, struct procmaps_entry *e)
{
	unsigned long long start;
	unsigned long long end;
	unsigned long long offset;
	unsigned long long inode;
	unsigned long long major;
	unsigned long long minor;
	const char *p = line;
	const char *perms;
	size_t nperms;

	while (maps_is_blank(*p))
		p++;
	if (!maps_hex(&p, &start) || *p++ != '-' || !maps_hex(&p, &end) || !maps_blanks(&p))
		return false;
	perms = p;
	while (*p && !maps_is_blank(*p) && *p != '\n')
		p++;
	nperms = (size_t)(p - perms);
	if (nperms < 4 || nperms > 7 || start >= end)
		return false;
	if (only_exec && perms[2] != 'x')
		return false;
	if (!maps_blanks(&p) || !maps_hex(&p, &offset) || !maps_blanks(&p) ||
	    !maps_hex(&p, &major) || *p++ != ':' || !maps_hex(&p, &minor) || !maps_blanks(&p) ||
	    !maps_dec(&p, &inode) || major > UINT32_MAX || minor > UINT32_MAX)
		return false;
	if (*p && !maps_is_blank(*p) && *p != '\n')
		return false;
	while (maps_is_blank(*p) || *p == '\n')
		p++;
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->offset = offset;
	e->dev = makedev((unsigned int)major, (unsigned int)minor);
	e->inode = inode;
	maps_name(e, p, strcspn(p, "\n"));
	return true;
}

/* Append e to the n entries of *v (room for *cap). */
static void maps_push(struct procmaps_entry **v, size_t *n, size_t *cap,
		      const struct procmaps_entry *e)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *e;
}

/*
 * The [vsyscall] page, which is no mapping of the process (the kernel's gate area, the same
 * in every process) so PROCMAP_QUERY never returns it: read once from this process's text.
 * False when the kernel has none.
 */
static bool maps_vsyscall(struct procmaps_entry *out)
{
	static int known = -1;
	static struct procmaps_entry vsyscall;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (known < 0) {
		known = 0;
		f = fopen("/proc/self/maps", "re");
		while (!known && f && getline(&line, &cap, f) > 0) {
			struct procmaps_entry e;

			if (!procmaps_parse_line(line, true, &e))
				continue;
			free(e.path);
			if (e.kind == PROCMAPS_VSYSCALL) {
				vsyscall = e; /* no path: a special mapping */
				known = 1;
			}
		}
		free(line);
		if (f)
			fclose(f);
	}
	if (known)
		*out = vsyscall;
	return known;
}

/*
 * The executable mappings through PROCMAP_QUERY on the open maps file fd, appended to *v.
 * 0, -ENOTTY where the kernel has no such ioctl, or another -errno (-ESRCH: the process is
 * gone).
 */
static int maps_query(int fd, struct procmaps_entry **v, size_t *n, size_t *cap)
{
	char name[4096];
	uint64_t addr = 0;

	for (;;) {
		struct procmaps_query q = {
			.size = sizeof(q),
			.query_flags = PROCMAPS_QUERY_COVERING_OR_NEXT | PROCMAPS_QUERY_EXECUTABLE,
			.query_addr = addr,
			.vma_name_size = sizeof(name),
			.vma_name_addr = (uint64_t)(uintptr_t)name,
		};
		struct procmaps_entry e = { 0 };

		if (ioctl(fd, PROCMAPS_QUERY, &q)) {
			if (errno != ENOENT) /* ENOENT: no mapping past addr */
				return -errno;
			if (*n && maps_vsyscall(&e))
				maps_push(v, n, cap, &e);
			return 0;
		}
		e.start = q.vma_start;
		e.end = q.vma_end;
		e.offset = q.vma_offset;
		e.dev = makedev(q.dev_major, q.dev_minor);
		e.inode = q.inode;
		maps_name(&e, name, q.vma_name_size ? strnlen(name, sizeof(name)) : 0);
		maps_push(v, n, cap, &e);
		addr = q.vma_end;
	}
}

/*
 * The executable mappings from the text of the maps file open as fd (closed here), appended
 * to *v: the way before Linux 6.11. 0 or -errno.
 */
static int maps_text(int fd, struct procmaps_entry **v, size_t *n, size_t *cap)
{
	char *line = NULL;
	size_t line_cap = 0;
	FILE *f = fdopen(fd, "re");
	int err = 0;

	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	while (getline(&line, &line_cap, f) > 0) {
		struct procmaps_entry e;

		if (procmaps_parse_line(line, true, &e))
			maps_push(v, n, cap, &e);
	}
	free(line);
	/* A process that exits while we read gives ESRCH or an empty read. */
	if (ferror(f))
		err = errno ? -errno : -EIO;
	fclose(f);
	return err;
}

int procmaps_read(uint32_t pid, struct procmaps_entry **out, size_t *n, char *why, size_t why_len)
{
	struct procmaps_entry *v = NULL;
	size_t cap = 0;
	size_t count = 0;
	char path[64];
	int fd, err;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	err = maps_query(fd, &v, &count, &cap);
	/* no ioctl; or ESRCH, no mm (a zombie, a kernel thread): the text says which */
	if (err == -ENOTTY || (err == -ESRCH && !count))
		err = maps_text(fd, &v, &count, &cap);
	else
		close(fd);
	if (err) {
		snprintf(why, why_len, "%s: %s", path, strerror(-err));
		procmaps_free(v, count);
		return err;
	}
	if (!count) {
		/* A zombie (or a kernel thread) has no mappings left. */
		snprintf(why, why_len, "%s has no executable mappings", path);
		free(v);
		return -ENODATA;
	}
	*out = v;
	*n = count;
	return 0;
}

void procmaps_free(struct procmaps_entry *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* Open a candidate path as a regular file; the fd or -errno. */
static int procmaps_open_path(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int procmaps_open(uint32_t pid, const struct procmaps_entry *e, char *why, size_t why_len)
{
	char path[4096 + 64];
	struct stat st;
	int fd;

	if (e->kind != PROCMAPS_FILE || !e->path) {
		snprintf(why, why_len, "not a file mapping");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64, pid,
		 e->start, e->end);
	fd = procmaps_open_path(path);
	if (fd >= 0)
		return fd;
	if (e->deleted) {
		snprintf(why, why_len, "deleted, and %s: %s", path, strerror(-fd));
		return fd;
	}
	/* map_files needs CAP_SYS_ADMIN; the path in the process's root does not. */
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/root%s", pid, e->path);
	fd = procmaps_open_path(path);
	if (fd < 0) {
		snprintf(why, why_len, "%s", strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st) || (uint64_t)st.st_ino != e->inode) {
		snprintf(why, why_len, "replaced on disk since it was mapped");
		close(fd);
		return -ESTALE;
	}
	return fd;
}

int procmaps_status(uint32_t pid, uint32_t *nspid, uid_t *uid)
{
	char *line = NULL;
	size_t cap = 0;
	char path[64];
	bool got_uid = false;
	FILE *f;

	*nspid = pid;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "Uid:", 4)) {
			char *end;

			strtoul(line + 4, &end, 10); /* real */
			*uid = (uid_t)strtoul(end, NULL, 10);
			got_uid = true;
		} else if (!strncmp(line, "NSpid:", 6)) {
			const char *last = strrchr(line, '\t');
			unsigned long v = last ? strtoul(last + 1, NULL, 10) : 0;

			if (v && v <= UINT32_MAX)
				*nspid = (uint32_t)v;
		}
	}
	free(line);
	fclose(f);
	return got_uid ? 0 : -ENODATA;
}
