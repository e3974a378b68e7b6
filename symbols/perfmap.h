/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JIT symbol maps (/tmp/perf-PID.map): one "START SIZE name" line per compiled function,
 * START and SIZE in hex. Later lines win over earlier ones at the same start address.
 */
#ifndef KTOP_SYMBOLS_PERFMAP_H
#define KTOP_SYMBOLS_PERFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Larger maps are refused. */
#define PERFMAP_MAX_BYTES (256u << 20)

struct perfmap;

/*
 * Read a perf map. It must be a regular file (symlinks are not followed) owned by root or
 * by owner. 0 or -errno with why (-ENOENT when there is no such file).
 */
int perfmap_load(struct perfmap **out, const char *path, uid_t owner, char *why, size_t why_len);
void perfmap_free(struct perfmap *pm);

/* The entry holding addr: its escaped name (valid while pm lives) and start address. */
bool perfmap_lookup(const struct perfmap *pm, uint64_t addr, const char **name, uint64_t *start);

/* Entries kept, and the file size read (to notice that the JIT appended to it). */
size_t perfmap_count(const struct perfmap *pm);
uint64_t perfmap_file_size(const struct perfmap *pm);

#endif
