// SPDX-License-Identifier: GPL-2.0
/* Debug file search, in the order gdb documents for separate debug files. */
#include "symbols/debuginfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One entry of the CRC table for the reflected polynomial 0xEDB88320. */
static uint32_t debuginfo_crc_entry(uint32_t byte)
{
	uint32_t c = byte;

	for (int k = 0; k < 8; k++)
		c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
	return c;
}

/* Building the table costs 2k steps, little beside the 64 KiB blocks it is used on. */
uint32_t debuginfo_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t table[256];

	for (uint32_t i = 0; i < 256; i++)
		table[i] = debuginfo_crc_entry(i);
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* The CRC of a whole open file; false on a read error. */
static bool debuginfo_file_crc(int fd, uint32_t *crc)
{
	char buf[65536];
	uint32_t c = 0;
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		c = debuginfo_crc32(c, buf, (size_t)n);
		off += n;
	}
	*crc = c;
	return true;
}

/* Open path if it is a regular file; the fd or -1. */
static int debuginfo_try(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Open path if it is a regular file whose CRC is crc; the fd or -1. */
static int debuginfo_try_crc(const char *path, uint32_t crc)
{
	uint32_t got;
	int fd = debuginfo_try(path);

	if (fd < 0)
		return -1;
	if (!debuginfo_file_crc(fd, &got) || got != crc) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ROOT/.build-id/xx/rest.debug for the query's build-id; the fd or -1. */
static int debuginfo_by_build_id(const struct debuginfo_query *q, char *found, size_t found_len)
{
	char hex[2 * 64 + 1];
	int fd;

	if (!q->build_id || q->build_id_len < 2 || q->build_id_len > 64)
		return -1;
	for (size_t i = 0; i < q->build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", q->build_id[i]);
	if (snprintf(found, found_len, "%s/.build-id/%.2s/%s.debug", q->debug_root, hex, hex + 2) >=
	    (int)found_len)
		return -1;
	fd = debuginfo_try(found);
	if (fd >= 0 || !*q->prefix)
		return fd;
	/* The process's own debug files, e.g. inside a container. */
	if (snprintf(found, found_len, "%s%s/.build-id/%.2s/%s.debug", q->prefix, q->debug_root,
		     hex, hex + 2) >= (int)found_len)
		return -1;
	return debuginfo_try(found);
}

/* The debuglink candidates with and without the namespace prefix; the fd or -1. */
static int debuginfo_by_link(const struct debuginfo_query *q, char *found, size_t found_len)
{
	const char *prefixes[2] = {q->prefix, ""};
	const char *slash;
	int dir_len;

	if (!q->debuglink || !q->path)
		return -1;
	slash = strrchr(q->path, '/');
	dir_len = slash ? (int)(slash - q->path) : 0;
	for (int p = 0; p < (*q->prefix ? 2 : 1); p++) {
		const char *pre = prefixes[p];
		int fd;

		if (snprintf(found, found_len, "%s%.*s/%s", pre, dir_len, q->path, q->debuglink) <
		    (int)found_len) {
			fd = debuginfo_try_crc(found, q->debuglink_crc);
			if (fd >= 0)
				return fd;
		}
		if (snprintf(found, found_len, "%s%.*s/.debug/%s", pre, dir_len, q->path,
			     q->debuglink) < (int)found_len) {
			fd = debuginfo_try_crc(found, q->debuglink_crc);
			if (fd >= 0)
				return fd;
		}
	}
	if (snprintf(found, found_len, "%s%.*s/%s", q->debug_root, dir_len, q->path,
		     q->debuglink) >= (int)found_len)
		return -1;
	return debuginfo_try_crc(found, q->debuglink_crc);
}

int debuginfo_open(const struct debuginfo_query *q, char *found, size_t found_len)
{
	int fd;

	fd = debuginfo_by_build_id(q, found, found_len);
	if (fd < 0)
		fd = debuginfo_by_link(q, found, found_len);
	if (fd < 0) {
		if (found_len)
			found[0] = '\0';
		return -ENOENT;
	}
	return fd;
}
