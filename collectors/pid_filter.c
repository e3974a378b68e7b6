// SPDX-License-Identifier: GPL-2.0
/* The one way a BPF collector's PID filter changes: add, then delete, the flag last or first. */
#include "collectors/pid_filter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

void pid_filter_init(struct pid_filter *pf, int map_fd, __u32 *on, const char *who)
{
	memset(pf, 0, sizeof(*pf));
	pf->map_fd = map_fd;
	pf->on = on;
	pf->who = who;
	*(volatile __u32 *)pf->on = 0;
}

void pid_filter_diff(const uint32_t *old, size_t nold, const uint32_t *new, size_t nnew,
		     uint32_t *add, size_t *nadd, uint32_t *del, size_t *ndel)
{
	size_t i = 0, j = 0;

	*nadd = *ndel = 0;
	while (i < nold || j < nnew) {
		if (j == nnew || (i < nold && old[i] < new[j]))
			del[(*ndel)++] = old[i++];
		else if (i == nold || new[j] < old[i])
			add[(*nadd)++] = new[j++];
		else {
			i++;
			j++;
		}
	}
}

/* Delete these PIDs from the map; one already gone is no error. */
static void pid_filter_delete(struct pid_filter *pf, const uint32_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		__u32 key = pids[i];

		bpf_map_delete_elem(pf->map_fd, &key);
	}
}

int pid_filter_apply(struct pid_filter *pf, const uint32_t *pids, size_t n, char *why,
		     size_t why_len)
{
	uint32_t add[KTOP_MAX_PIDS], del[KTOP_MAX_PIDS];
	size_t nadd, ndel;
	__u8 one = 1;
	int err;

	if (n > KTOP_MAX_PIDS)
		n = KTOP_MAX_PIDS;
	pid_filter_diff(pf->pids, pf->npids, pids, n, add, &nadd, del, &ndel);
	for (size_t i = 0; i < nadd; i++) {
		__u32 key = add[i];

		err = bpf_map_update_elem(pf->map_fd, &key, &one, BPF_ANY);
		if (err) {
			/* Take back what went in: the old set stays whole. */
			pid_filter_delete(pf, add, i);
			snprintf(why, why_len, "%s: update the PID filter: %s", pf->who,
				 strerror(-err));
			return err;
		}
	}
	/* Filled: on. Going to every process: off before the map empties, never on a half. */
	*(volatile __u32 *)pf->on = n > 0;
	pid_filter_delete(pf, del, ndel);
	memcpy(pf->pids, pids, n * sizeof(*pids));
	pf->npids = n;
	return 0;
}

void pid_filter_block(struct pid_filter *pf)
{
	*(volatile __u32 *)pf->on = 1;
	pid_filter_delete(pf, pf->pids, pf->npids);
	pf->npids = 0;
}

void pid_filter_cgroup(struct ktop_cgroup_sel *sel, const struct filter_cgroup *cg)
{
	volatile struct ktop_cgroup_sel *v = sel;

	if (!cg->id) {
		v->id = KTOP_CGROUP_OFF;
		return;
	}
	v->id = KTOP_CGROUP_NONE;
	__sync_synchronize();
	v->level = cg->level;
	v->subsys = cg->subsys;
	__sync_synchronize();
	v->id = cg->id;
}
