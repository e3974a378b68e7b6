/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroup filter every BPF collector shares (--cgroup): the cgroup's id and depth in its
 * hierarchy, kept in each program's .bss and written live by collectors/pid_filter.c.
 */
#ifndef KTOP_BPF_CGROUP_FILTER_H
#define KTOP_BPF_CGROUP_FILTER_H

#define KTOP_CGROUP_OFF	 0ull	 /* id: every task passes */
#define KTOP_CGROUP_NONE (~0ull) /* id: no task passes (while the filter changes) */
#define KTOP_CGROUP_V2	 (-1)	 /* subsys: the cgroup v2 (default) hierarchy */

/* Tasks in the cgroup with this id at this level (or below it) pass. */
struct ktop_cgroup_sel {
	__u64 id;     /* the cgroup's kernfs id (its directory's inode number) */
	__u32 level;  /* its depth: 0 for the hierarchy's root */
	__s32 subsys; /* KTOP_CGROUP_V2, or the v1 controller's enum cgroup_subsys_id */
};

#endif
