/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding a stripped file's debug file: by build-id under the debug root
 * (ROOT/.build-id/xx/rest.debug), then by .gnu_debuglink next to the file, in its .debug/
 * directory and under ROOT/<dir>/, each checked against the link's CRC.
 */
#ifndef KTOP_SYMBOLS_DEBUGINFO_H
#define KTOP_SYMBOLS_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEBUGINFO_ROOT "/usr/lib/debug"

struct debuginfo_query {
	const char *debug_root;	 /* DEBUGINFO_ROOT, or a test's directory */
	const char *prefix;	 /* "/proc/PID/root" for a process's mount namespace, or "" */
	const char *path;	 /* the file's path as its process sees it */
	const uint8_t *build_id; /* NULL when there is none */
	size_t build_id_len;
	const char *debuglink; /* NULL when there is none */
	uint32_t debuglink_crc;
};

/*
 * Open the debug file for q: an fd (O_RDONLY|O_CLOEXEC) with the path used in found, or
 * -ENOENT when no candidate exists or matches.
 */
int debuginfo_open(const struct debuginfo_query *q, char *found, size_t found_len);

/* The CRC-32 .gnu_debuglink uses (zlib's), continued from crc over len bytes of buf. */
uint32_t debuginfo_crc32(uint32_t crc, const void *buf, size_t len);

#endif
