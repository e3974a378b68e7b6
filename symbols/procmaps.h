/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's executable mappings from /proc/PID/maps, and opening the mapped files without
 * touching the process: through /proc/PID/map_files/START-END (deleted files, other mount
 * namespaces), else /proc/PID/root/PATH.
 */
#ifndef KTOP_SYMBOLS_PROCMAPS_H
#define KTOP_SYMBOLS_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum procmaps_kind {
	PROCMAPS_FILE,	   /* a mapped file (inode != 0) */
	PROCMAPS_ANON,	   /* anonymous memory, where JITs put code */
	PROCMAPS_VDSO,	   /* [vdso] */
	PROCMAPS_VSYSCALL, /* [vsyscall] */
};

struct procmaps_entry {
	uint64_t start;
	uint64_t end; /* exclusive */
	uint64_t offset;
	uint64_t dev; /* makedev(major, minor) */
	uint64_t inode;
	char *path; /* the mapped path without " (deleted)"; NULL when anonymous */
	bool deleted;
	enum procmaps_kind kind;
};

/*
 * Parse one line of a maps file into e (e->path is allocated). Returns false for lines that
 * do not parse; only_exec skips (returns false for) mappings without 'x'.
 */
bool procmaps_parse_line(const char *line, bool only_exec, struct procmaps_entry *e);

/*
 * The executable mappings of pid, in address order. 0 or -errno with why: -ENOENT when the
 * process is gone, -ENODATA when it has no executable mappings (a zombie or a kernel
 * thread). Free with procmaps_free.
 */
int procmaps_read(uint32_t pid, struct procmaps_entry **out, size_t *n, char *why, size_t why_len);
void procmaps_free(struct procmaps_entry *v, size_t n);

/*
 * Open the file behind a PROCMAPS_FILE mapping of pid (O_RDONLY|O_CLOEXEC). The fd, or
 * -errno with why.
 */
int procmaps_open(uint32_t pid, const struct procmaps_entry *e, char *why, size_t why_len);

/*
 * From /proc/PID/status: the pid in the process's own namespace (the last NSpid field) and
 * the effective uid. 0 or -errno.
 */
int procmaps_status(uint32_t pid, uint32_t *nspid, uid_t *uid);

#endif
