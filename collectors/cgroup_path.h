/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --cgroup PATH: which hierarchy a cgroup directory is in (cgroup v2, wherever /proc/mounts
 * says it is mounted, or a v1 controller's), its id and depth for the kernel side, and
 * whether a process is in it or below it (the user-space check).
 */
#ifndef KTOP_CGROUP_PATH_H
#define KTOP_CGROUP_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/filter.h"

/*
 * Fill cg for the cgroup directory path, reading mounts from proc_root (NULL: "/proc").
 * 0, or -errno with one line in why (not a directory, not in a cgroup hierarchy, a v1
 * hierarchy without a controller).
 */
int cgroup_path_resolve(const char *path, const char *proc_root, struct filter_cgroup *cg,
			char *why, size_t why_len);
/*
 * From the text of /proc/mounts, the cgroup mount that holds the directory dir (the longest
 * mount point that is a prefix of it): its mount point, whether it is v2, and for v1 its
 * first controller ("" when it has none, as name=systemd). false when none holds it.
 */
bool cgroup_path_mount(const char *mounts, const char *dir, char *mnt, size_t mnt_len, bool *v2,
		       char *controller, size_t controller_len);
/* Whether the text of a /proc/PID/cgroup file puts the process in cg or below it. */
bool cgroup_path_text_has(const char *text, const struct filter_cgroup *cg);
/* Whether process pid is in cg or below it (false when it is gone); true when cg is off. */
bool cgroup_path_has_pid(const struct filter_cgroup *cg, uint32_t pid);

#endif
