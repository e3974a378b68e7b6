/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory cgroup ktop runs in (v2, or v1's memory controller): how much more it may use
 * before the kernel's OOM killer ends it, counting every ancestor's limit. BPF maps are charged
 * to it, and a kill leaves no message: ktop warns first.
 */
#ifndef KTOP_CORE_MEMCG_H
#define KTOP_CORE_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What ktop's largest panels take at their peak (the Off-CPU panel with DWARF: 34 MiB). */
#define MEMCG_KTOP_NEEDS (64ull << 20)

struct memcg_room {
	char path[256];	   /* the cgroup whose limit is the tightest */
	uint64_t limit;	   /* its limit, bytes */
	uint64_t headroom; /* its limit less its use, bytes */
};

/*
 * The tightest memory limit over ktop's cgroup and its ancestors, read from root (a
 * directory holding /proc/self/cgroup and /proc/self/mountinfo's view: "" for the real
 * root). False when no limit applies or none can be read.
 */
bool memcg_room(const char *root, struct memcg_room *out);
/* One line warning that ktop may be killed, or "" when the room is enough. */
void memcg_warning(const struct memcg_room *r, char *buf, size_t len);

#endif
