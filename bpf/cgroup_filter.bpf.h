/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a task is in the --cgroup cgroup or below it, from the task's own cgroup in that
 * hierarchy and its ancestor at the filter's level: struct cgroup's ancestors[], or before
 * 7f203bc89eb6 ("cgroup: Replace cgroup->ancestor_ids[] with ->ancestors[]") the ancestors'
 * ids. Include once, after vmlinux.h: it defines the program's cgroup_sel in .bss.
 */
#ifndef KTOP_CGROUP_FILTER_BPF_H
#define KTOP_CGROUP_FILTER_BPF_H

#include "cgroup_filter.h"

#define KTOP_CGROUP_MAX_LEVEL 64

struct ktop_cgroup_sel cgroup_sel = {};

/* struct cgroup before ancestors[]: the ids of its ancestors, its own at its level. */
struct cgroup___ids {
	__u64 ancestor_ids[0];
} __attribute__((preserve_access_index));

/* t's cgroup in the filter's hierarchy: v2's, or the v1 controller's. */
static __always_inline struct cgroup *ktop_cgroup_of(struct task_struct *t, __s32 subsys)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cs = BPF_CORE_READ(t, cgroups);

	if (subsys == KTOP_CGROUP_V2)
		return BPF_CORE_READ(cs, dfl_cgrp);
	bpf_probe_read_kernel(&css, sizeof(css),
			      (char *)cs + bpf_core_field_offset(struct css_set, subsys) +
				      (subsys & 15) * sizeof(css));
	return BPF_CORE_READ(css, cgroup);
}

/* Whether the cgroup filter lets t through (it is off, or t is in the cgroup's subtree). */
static __always_inline bool ktop_cgroup_wanted(struct task_struct *t)
{
	__u64 id = cgroup_sel.id;
	__u32 level = cgroup_sel.level;
	struct cgroup *cg, *anc = NULL;

	if (id == KTOP_CGROUP_OFF)
		return true;
	if (id == KTOP_CGROUP_NONE || level >= KTOP_CGROUP_MAX_LEVEL)
		return false;
	cg = ktop_cgroup_of(t, cgroup_sel.subsys);
	if (!cg || (__u32)BPF_CORE_READ(cg, level) < level)
		return false;
	if (!bpf_core_field_exists(struct cgroup, ancestors)) {
		__u64 aid = 0;

		bpf_probe_read_kernel(&aid, sizeof(aid),
				      (char *)cg + bpf_core_field_offset(struct cgroup___ids,
									 ancestor_ids) +
					      level * sizeof(aid));
		return aid == id;
	}
	bpf_probe_read_kernel(&anc, sizeof(anc),
			      (char *)cg + bpf_core_field_offset(struct cgroup, ancestors) +
				      level * sizeof(anc));
	return anc && BPF_CORE_READ(anc, kn, id) == id;
}

/* The same for the task running now. */
static __always_inline bool ktop_cgroup_current_wanted(void)
{
	if (cgroup_sel.id == KTOP_CGROUP_OFF)
		return true;
	return ktop_cgroup_wanted((struct task_struct *)bpf_get_current_task());
}

#endif
