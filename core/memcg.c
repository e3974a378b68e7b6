// SPDX-License-Identifier: GPL-2.0
/* How much memory ktop's cgroup still allows it (core/memcg.h). */
#include "core/memcg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

/* A limit this large is none (cgroup v1 writes "no limit" as a page-rounded 2^63 - 1). */
#define MEMCG_NO_LIMIT (1ull << 62)

/* A number, or "max", read from a cgroup file; false if unreadable ("max": UINT64_MAX). */
static bool read_bytes(const char *dir, const char *file, uint64_t *out)
{
	char path[512], buf[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	if (!strncmp(buf, "max", 3)) {
		*out = UINT64_MAX;
		return true;
	}
	return sscanf(buf, "%" SCNu64, out) == 1;
}

/*
 * Where the hierarchy holding the memory controller is mounted: cgroup2 (v2), else the v1
 * hierarchy with "memory" among its options. Its mount point into mnt; *v2 says which.
 */
static bool find_mount(const char *root, char *mnt, size_t len, bool *v2)
{
	char path[512], line[1024];
	bool found_v1 = false, found_v2 = false;
	char v1[512] = "", two[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char point[512], type[64], opts[512];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", point) != 1 ||
		    sscanf(sep + 3, "%63s %*s %511s", type, opts) != 2)
			continue;
		if (!strcmp(type, "cgroup2") && !found_v2) {
			snprintf(two, sizeof(two), "%s", point);
			found_v2 = true;
		} else if (!strcmp(type, "cgroup") && strstr(opts, "memory") && !found_v1) {
			snprintf(v1, sizeof(v1), "%s", point);
			found_v1 = true;
		}
	}
	fclose(f);
	/* A hybrid box mounts cgroup2 too, without the memory controller: v1 decides there. */
	*v2 = !found_v1 && found_v2;
	snprintf(mnt, len, "%s%s", root, *v2 ? two : v1);
	return found_v1 || found_v2;
}

/* ktop's own cgroup path in that hierarchy, from /proc/self/cgroup. */
static bool find_cgroup(const char *root, bool v2, char *out, size_t len)
{
	char path[512], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "ID:CONTROLLERS:PATH"; cgroup v2's line is "0::PATH" */
		char *ctrl = strchr(line, ':'), *cg = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!cg)
			continue;
		*ctrl++ = '\0';
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		if (v2 ? !strcmp(line, "0") && !*ctrl : strstr(ctrl, "memory") != NULL) {
			snprintf(out, len, "%s", cg);
			found = true;
		}
	}
	fclose(f);
	return found;
}

bool memcg_room(const char *root, struct memcg_room *out)
{
	char mnt[512], cg[512], dir[1024];
	bool v2, any = false;

	if (!find_mount(root, mnt, sizeof(mnt), &v2) || !find_cgroup(root, v2, cg, sizeof(cg)))
		return false;
	/* From ktop's cgroup up to the root of the hierarchy: the least room wins. */
	for (;;) {
		uint64_t limit, used;

		snprintf(dir, sizeof(dir), "%s%s", mnt, cg);
		if (read_bytes(dir, v2 ? "memory.max" : "memory.limit_in_bytes", &limit) &&
		    read_bytes(dir, v2 ? "memory.current" : "memory.usage_in_bytes", &used) &&
		    limit < MEMCG_NO_LIMIT) {
			uint64_t room = limit > used ? limit - used : 0;

			if (!any || room < out->headroom) {
				snprintf(out->path, sizeof(out->path), "%s", cg[0] ? cg : "/");
				out->limit = limit;
				out->headroom = room;
				any = true;
			}
		}
		if (!cg[0] || !strcmp(cg, "/") || !strrchr(cg, '/'))
			break;
		*strrchr(cg, '/') = '\0';
	}
	return any;
}

void memcg_warning(const struct memcg_room *r, char *buf, size_t len)
{
	char path[128];

	if (r->headroom >= MEMCG_KTOP_NEEDS) {
		snprintf(buf, len, "%s", "");
		return;
	}
	/* cgroup names are anyone's with a delegated subtree */
	escape_cstr(path, sizeof(path), r->path, sizeof(r->path));
	snprintf(buf, len,
		 "warning: memory cgroup %s allows ktop %.1f MiB more (limit %.1f MiB); it needs "
		 "about %llu MiB and may be killed",
		 path, r->headroom / 1048576.0, r->limit / 1048576.0,
		 (unsigned long long)(MEMCG_KTOP_NEEDS >> 20));
}
